"""Where the project's files live, so every module agrees without passing paths around."""

from __future__ import annotations

import os
import stat
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS_DIR = PROJECT_ROOT / "artifacts"


def data_dir() -> Path:
    """Runtime data (chain state, deployment record, benchmarks): ``var/`` unless LEDGER_DATA_DIR says otherwise."""
    return Path(os.environ.get("LEDGER_DATA_DIR", PROJECT_ROOT / "var"))


def dossier_dir() -> Path:
    """The content-addressed store of dossier files, their manifests and the reviewers' checks:
    ``var/dossiers`` unless LEDGER_DOSSIER_DIR says otherwise (docs/dossiers.md)."""
    return Path(os.environ.get("LEDGER_DOSSIER_DIR", data_dir() / "dossiers"))


def dossier_max_bytes() -> int:
    """The largest dossier file accepted, in bytes: 20 MiB unless LEDGER_DOSSIER_MAX_BYTES says otherwise."""
    return int(os.environ.get("LEDGER_DOSSIER_MAX_BYTES", 20 * 1024 * 1024))


def deployment_record_path() -> Path:
    return Path(os.environ.get("LEDGER_DEPLOYMENT", data_dir() / "deployment.json"))


def configured_confirmations() -> int | None:
    """LEDGER_CONFIRMATIONS: blocks the indexer stays behind the head, when the chain's default will not do."""
    value = os.environ.get("LEDGER_CONFIRMATIONS")
    return int(value) if value else None


def rpc_url() -> str:
    """JSON-RPC endpoint of the chain node; the local anvil by default."""
    return os.environ.get("LEDGER_RPC_URL", "http://127.0.0.1:8545")


def governance_delay() -> int:
    """Seconds a grant of the ministry or registrar role waits in the governance timelock (2 days by default)."""
    return int(os.environ.get("LEDGER_GOVERNANCE_DELAY", 2 * 24 * 3600))


def keep_data_private() -> None:
    """Every file this process creates is its owner's only (umask 077; the chain node and other children inherit
    it), and whatever an earlier run left readable under the data directory is made so too. The vault and its key
    are there (identity numbers and salts): nothing under ``var/`` is for other users. Called where
    the processes start: the ``ledger`` command, the API's app factory, ``scripts/chain.py``."""
    os.umask(0o077)
    root = data_dir()
    if not root.is_dir():
        return
    for directory, subdirectories, files in os.walk(root):
        for name in [*subdirectories, *files]:
            _owner_only(Path(directory) / name)
    # The project's PostgreSQL cluster (scripts/postgres.py) belongs to the postgres OS user when root runs it, and
    # the server opens its files by absolute path: the data directory keeps search permission for others, no read
    # (nothing can be listed, and everything inside is owner-only).
    _owner_only(root, keep=0o001 if (root / "postgres").is_dir() else 0)


def _owner_only(path: Path, keep: int = 0) -> None:
    try:
        mode = path.lstat().st_mode
        if not stat.S_ISLNK(mode) and mode & 0o077 & ~keep:
            path.chmod(stat.S_IMODE(mode) & (0o700 | keep))
    except OSError:  # another user's file, or gone meanwhile: nothing of ours to tighten
        pass
