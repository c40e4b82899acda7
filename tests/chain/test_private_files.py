"""Issue 14, finding 9: the read model's file (with the vault's identity numbers and salts) was world-readable.
Whatever the processes write under the data directory is now their owner's only, whatever umask they started
with, and a file an earlier run left readable is tightened."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

from ledger.chain.localchain import free_port
from ledger.settings import PROJECT_ROOT
from tests.conftest import Deployed


def _started_with_umask_022(code: str, data: Path, **environment: str) -> None:
    """Runs ``code`` in a fresh Python under umask 022 (a typical login's) with LEDGER_DATA_DIR=``data``."""
    env = {**os.environ, "LEDGER_DATA_DIR": str(data), **environment}
    env.pop("DATABASE_URL", None)
    prelude = "import os; os.umask(0o022)\n"
    result = subprocess.run(
        [sys.executable, "-c", prelude + code], cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr


def _readable_by_others(data: Path) -> list[str]:
    paths = [data, *data.rglob("*")]
    return [f"{p.relative_to(data)} {stat.filemode(p.stat().st_mode)}" for p in paths if p.stat().st_mode & 0o077]


def test_the_ledger_command_keeps_the_data_directory_private(deployed: Deployed, tmp_path: Path) -> None:
    data = tmp_path / "var"
    (data / "register").mkdir(parents=True)
    (data / "register" / "left-by-an-earlier-run.csv").write_text("x\n")
    os.chmod(data / "register" / "left-by-an-earlier-run.csv", 0o644)
    rpc, record = deployed.w3.provider.endpoint_uri, deployed.record_path  # type: ignore[attr-defined]
    _started_with_umask_022(
        f"from ledger.cli import main; main(['--rpc-url', {rpc!r}, '--record', {str(record)!r}, 'status'])",
        data,
    )
    assert (data / "ledger.db").exists()
    assert _readable_by_others(data) == []


def test_the_api_keeps_the_data_directory_private(deployed: Deployed, tmp_path: Path) -> None:
    data = tmp_path / "var"
    rpc, record = deployed.w3.provider.endpoint_uri, deployed.record_path  # type: ignore[attr-defined]
    _started_with_umask_022(
        "from api import create_app\n"
        f"client = create_app({{'LEDGER_RPC_URL': {rpc!r}, 'LEDGER_DEPLOYMENT': {str(record)!r}}}).test_client()\n"
        "assert client.post('/api/v1/auth/nonce').status_code == 200\n"
        "assert client.post('/api/v1/acts', json={}).status_code == 400\n",
        data,
        API_TOKEN_SECRET="",
    )
    assert {p.name for p in data.iterdir()} >= {"ledger.db", "api-token-secret"}
    assert _readable_by_others(data) == []


def test_the_local_chain_keeps_its_state_and_log_private(tmp_path: Path) -> None:
    data = tmp_path / "var"
    port = str(free_port())
    code = "from scripts import chain; assert chain.start() == 0; import time; time.sleep(1); assert chain.stop() == 0"
    _started_with_umask_022(code, data, LEDGER_CHAIN_PORT=port)
    assert {p.name for p in (data / "chain").iterdir()} >= {"state.json", "anvil.log"}
    assert _readable_by_others(data) == []
