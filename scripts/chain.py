"""``make chain`` / ``make stop``: the persistent local development chain on 127.0.0.1:8545.

Its state lives in var/chain/state.json (written every few seconds and on stop), so a restart keeps every
certificate. The process id and log are kept beside it.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from ledger.chain.localchain import CACHE_DIR, LocalChain, remove_cache, rpc_answers, stop_process
from ledger.settings import data_dir, keep_data_private
from scripts.verbs import run

PORT = int(os.environ.get("LEDGER_CHAIN_PORT", "8545"))


def chain_dir() -> Path:
    return data_dir() / "chain"


def running_pid() -> int | None:
    try:
        pid = int((chain_dir() / "anvil.pid").read_text())
        os.kill(pid, 0)
    except (FileNotFoundError, ValueError, ProcessLookupError):
        return None
    return pid


def start() -> int:
    keep_data_private()  # anvil inherits the umask: its state file and log are owner-only
    chain = LocalChain(PORT, chain_dir() / "state.json", log_path=chain_dir() / "anvil.log")
    if (other := os.environ.get("LEDGER_RPC_URL", chain.url)) != chain.url:  # deploy to `make network`'s, say
        print(f"LEDGER_RPC_URL names another node ({other}): the local chain (anvil) is not started")
        return 0
    pid = running_pid()
    if pid is not None and rpc_answers(chain.url):
        print(f"chain already running (pid {pid}) at {chain.url}")
        return 0
    if rpc_answers(chain.url):
        print(f"something else answers JSON-RPC at {chain.url}; stop it or set LEDGER_CHAIN_PORT", file=sys.stderr)
        return 1
    chain.start(detach=True)
    (chain_dir() / "anvil.pid").write_text(str(chain.process.pid))
    print(f"chain started (pid {chain.process.pid}) at {chain.url}, state in {chain.state_path}")
    return 0


def stop() -> int:
    pid = running_pid()
    if pid is None:
        print("chain not running")
        return 0
    stop_process(pid)
    remove_cache(chain_dir() / CACHE_DIR)
    (chain_dir() / "anvil.pid").unlink(missing_ok=True)
    print(f"chain stopped (pid {pid}); state saved in {chain_dir() / 'state.json'}")
    return 0


if __name__ == "__main__":
    run("scripts.chain", {"start": start, "stop": stop})
