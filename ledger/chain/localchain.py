"""Running a local anvil node (from the npm package @foundry-rs/anvil) with its state kept in a file."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import requests

from ledger.errors import ChainUnavailable
from ledger.settings import PROJECT_ROOT
from wallet.devkeys import DEV_ACCOUNT_COUNT

LOCAL_CHAIN_ID = 31337
# The EVM rules of every chain the ledger runs on, and the evmVersion hardhat.config.js compiles for (a test holds
# them equal): geth's Clique engine seals no block of Shanghai or later, so anvil runs Paris too, and one bytecode
# behaves and costs the same on both.
HARDFORK = "paris"


def anvil_binary() -> Path:
    """The anvil binary shipped in the platform package (started directly, so signals reach anvil itself)."""
    found = sorted(PROJECT_ROOT.glob("node_modules/@foundry-rs/anvil-*/bin/anvil"))
    if not found:
        raise ChainUnavailable("anvil is not installed: run `make install` (npm package @foundry-rs/anvil)")
    return found[0]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def rpc_answers(url: str, timeout: float = 1.0) -> bool:
    try:
        body = {"jsonrpc": "2.0", "id": 1, "method": "eth_chainId", "params": []}
        return requests.post(url, json=body, timeout=timeout).ok
    except requests.RequestException:
        return False


CACHE_DIR = "anvil-cache"
# Historical states anvil keeps on disk beyond those in memory. Each is a whole dump of the state, so uncapped they
# grew to 54 GB over one test session (and filled the disk); the ledger reads state at the indexed block, recent.
PERSISTED_STATES = 256


class LocalChain:
    """One anvil process on 127.0.0.1. With ``state_path`` the chain is loaded from that file at start and
    written back every ``state_interval`` seconds and on ``stop()``, so a restart keeps every block.

    anvil offloads historical states to disk (at most PERSISTED_STATES) and, left to itself, keeps them under
    ~/.foundry/anvil/tmp after it exits; here they go to ``cache_dir`` (beside the state file, or a temporary
    folder), emptied at start and removed on ``stop()``."""

    def __init__(
        self,
        port: int,
        state_path: Path | None = None,
        *,
        state_interval: int = 5,
        log_path: Path | None = None,
        chain_id: int = LOCAL_CHAIN_ID,
    ) -> None:
        self.port = port
        self.state_path = state_path
        self.state_interval = state_interval
        self.log_path = log_path
        self.chain_id = chain_id
        self.cache_dir = state_path.parent / CACHE_DIR if state_path is not None else None
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def command(self) -> list[str]:
        cmd = [str(anvil_binary()), "--host", "127.0.0.1", "--port", str(self.port)]
        cmd += ["--chain-id", str(self.chain_id), "--gas-limit", "60000000"]
        cmd += ["--hardfork", HARDFORK]  # the rules the contracts are compiled for (hardhat.config.js evmVersion)
        cmd += ["--accounts", str(DEV_ACCOUNT_COUNT)]  # the development keys: every role and province funded
        if self.cache_dir is not None:
            cmd += ["--cache-path", str(self.cache_dir), "--max-persisted-states", str(PERSISTED_STATES)]
        if self.state_path is not None:
            self.state_path.parent.mkdir(parents=True, exist_ok=True)
            cmd += ["--state", str(self.state_path), "--state-interval", str(self.state_interval)]
        return cmd

    def start(self, *, detach: bool = False, timeout: float = 30.0) -> LocalChain:
        """Start anvil and wait until it answers. ``detach`` keeps it running after this process ends."""
        if self.log_path is not None:
            self.log_path.parent.mkdir(parents=True, exist_ok=True)
        if self.cache_dir is None:
            self.cache_dir = Path(tempfile.mkdtemp(prefix="anvil-cache-"))
        remove_cache(self.cache_dir)  # what an earlier run left is of no use to this one
        self.cache_dir.mkdir(parents=True)
        with open(self.log_path or os.devnull, "ab") as log:
            self.process = subprocess.Popen(
                self.command(),
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=detach,
            )
        await_node(self.process, self.url, timeout, f"anvil (see {self.log_path})", self.stop)
        return self

    def stop(self, timeout: float = 20.0) -> None:
        """Stop cleanly with SIGINT, which makes anvil write its state file before it exits."""
        if self.process is None or self.process.poll() is not None:
            return
        stop_process(self.process.pid, timeout)
        self.process.wait()
        if self.cache_dir is not None:
            remove_cache(self.cache_dir)


def await_node(process: subprocess.Popen[bytes], url: str, timeout: float, name: str, stop: Callable[[], None]) -> None:
    """Until the node ``process`` started answers JSON-RPC on ``url``; ChainUnavailable naming it (``name``) if it
    exits first, or (stopped) if it does not answer within ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while not rpc_answers(url):
        if process.poll() is not None:
            raise ChainUnavailable(f"{name} exited with code {process.returncode}")
        if time.monotonic() > deadline:
            stop()
            raise ChainUnavailable(f"{name} did not answer on {url} within {timeout:.0f}s")
        time.sleep(0.05)


def remove_cache(cache_dir: Path) -> None:
    """Remove an anvil's offloaded states (of a stopped node: they serve only the process that wrote them)."""
    shutil.rmtree(cache_dir, ignore_errors=True)


def stop_process(pid: int, timeout: float = 20.0) -> None:
    """SIGINT, then SIGKILL if the process has not exited after ``timeout`` seconds."""
    try:
        os.kill(pid, signal.SIGINT)
    except ProcessLookupError:
        return
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return
        if _is_zombie(pid):
            return
        time.sleep(0.05)
    os.kill(pid, signal.SIGKILL)


def _is_zombie(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().split()[2] == "Z"
    except (FileNotFoundError, IndexError):
        return False
