"""The API under a real gunicorn, started as ``make up`` starts it (``--config python:api.server``), on a free port
with data of its own and no chain: for what only the server layer or several worker processes show."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import requests

from ledger.chain.localchain import free_port
from ledger.settings import PROJECT_ROOT


@contextmanager
def gunicorn(root: Path, *options: str, env: dict[str, str] | None = None) -> Iterator[int]:
    """gunicorn serving ``api:create_app()`` with ``options`` (``--workers 2`` …) and its data under ``root``;
    its log is ``root / "gunicorn.log"``. Its port, once ``/livez`` answers."""
    port = free_port()
    environment = {
        **os.environ,
        "LEDGER_DATA_DIR": str(root),
        "LEDGER_DEPLOYMENT": str(root / "deployment.json"),
        "DATABASE_URL": f"sqlite:///{root / 'ledger.db'}",
        **(env or {}),
    }
    command = [
        str(Path(sys.executable).with_name("gunicorn")), "--config", "python:api.server", "--bind",
        f"127.0.0.1:{port}", *options, "api:create_app()",
    ]  # fmt: skip
    with (root / "gunicorn.log").open("wb") as log:
        server = subprocess.Popen(command, env=environment, cwd=PROJECT_ROOT, stdout=log, stderr=log)
        try:
            _wait_live(port, server)
            yield port
        finally:
            server.terminate()
            server.wait(timeout=30)


def _wait_live(port: int, server: subprocess.Popen[bytes], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and server.poll() is None:
        try:
            if requests.get(f"http://127.0.0.1:{port}/livez", timeout=2).status_code == 200:
                return
        except requests.ConnectionError:
            time.sleep(0.2)
    raise RuntimeError(f"gunicorn did not start on port {port}")
