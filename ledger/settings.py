"""Where the project's files live, so every module agrees without passing paths around."""

from __future__ import annotations

import os
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS_DIR = PROJECT_ROOT / "artifacts"


def data_dir() -> Path:
    """Runtime data (chain state, deployment record, benchmarks): ``var/`` unless LEDGER_DATA_DIR says otherwise."""
    return Path(os.environ.get("LEDGER_DATA_DIR", PROJECT_ROOT / "var"))


def deployment_record_path() -> Path:
    return Path(os.environ.get("LEDGER_DEPLOYMENT", data_dir() / "deployment.json"))


def rpc_url() -> str:
    """JSON-RPC endpoint of the chain node; the local anvil by default."""
    return os.environ.get("LEDGER_RPC_URL", "http://127.0.0.1:8545")
