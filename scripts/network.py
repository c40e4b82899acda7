"""``make network`` / ``make network-stop``: the development network of authorities on loopback
(``ledger.chain.network``): three sealing nodes and the non-sealing node the API reads, state in var/network/.

``start`` prints the LEDGER_RPC_URL to give the deployment, the indexer and the API (also written to
var/network/rpc-url); a network started before is resumed with its chain. The nodes' process ids are kept beside
their data folders so that ``stop`` finds them from another shell.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from ledger.chain.localchain import stop_process
from ledger.chain.network import DEFAULT_PERIOD, DevelopmentNetwork
from ledger.errors import ChainUnavailable
from ledger.settings import data_dir, keep_data_private
from scripts.verbs import run

FIRST_PORT = int(os.environ.get("LEDGER_NETWORK_PORT", "8645"))  # the reader; the sealers the ports after it
PERIOD = int(os.environ.get("LEDGER_NETWORK_PERIOD", str(DEFAULT_PERIOD)))


def network_dir() -> Path:
    return data_dir() / "network"


def _pids() -> dict[str, int]:
    path = network_dir() / "pids.json"
    if not path.exists():
        return {}
    alive = {}
    for name, pid in json.loads(path.read_text()).items():
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            continue
        alive[name] = pid
    return alive


def start() -> int:
    keep_data_private()
    if running := _pids():
        print(f"network already running ({', '.join(running)}); make network-stop stops it")
        return 0
    network = DevelopmentNetwork(network_dir(), period=PERIOD, first_port=FIRST_PORT)
    try:
        network.start(detach=True, timeout=120)
    except ChainUnavailable:
        network.stop()  # no node of a network that did not come up is left running
        raise
    pids = {node.datadir.name: node.process.pid for node in network if node.process is not None}
    (network_dir() / "pids.json").write_text(json.dumps(pids))
    urls = ",".join(network.rpc_urls)
    (network_dir() / "rpc-url").write_text(urls + "\n")
    print(f"network started: 3 sealers and a reader, a block every {network.period} s, state in {network_dir()}")
    print(f"LEDGER_RPC_URL={urls}")
    return 0


def stop() -> int:
    running = _pids()
    for name, pid in running.items():
        stop_process(pid, timeout=30)
        print(f"stopped {name} (pid {pid})")
    (network_dir() / "pids.json").unlink(missing_ok=True)
    print(f"network stopped; its chain is kept in {network_dir()}" if running else "network not running")
    return 0


if __name__ == "__main__":
    run("scripts.network", {"start": start, "stop": stop})
