"""``make bench-verify``: how fast the API verifies, served as in production.

A fresh anvil gets the registry and a slice of the synthetic register (400 firms and their planners, imported by
``ledger import``); ``ledger index`` follows the chain in the background and gunicorn serves the API
(``GUNICORN_WORKERS`` sync workers, 2 by default). Load comes from wrk, a separate process on loopback: 32 connections
for 20 s of single lookups (``GET /api/v1/certificates/{number}``, numbers drawn at random from the register),
then the same with ``?source=chain``; then a thousand-item ``POST /api/v1/verify``, timed 20 times; 50 lookups with
their storage proof (``proof_anvil_ms``; ``proof_anvil_node_ms``: the node's own eth_getProof); then the framework
floor (``scripts.bench_floor``: one SELECT by number, nothing else) under the same gunicorn settings and the same
load, so ``ratio`` (API rps / floor rps) and the p99s compare like with like in one run; and the floor's SELECT on
the driver's cursor (``floor_driver_rps``, ``ratio_driver``), as the API's hot lookup runs its one statement. Rate
limits stay on, set high enough not to refuse the benchmark's single client.

Storage proofs are timed again on geth (``proof_ms``, ``proof_node_ms``): the same register slice on a geth Clique
node sealing on demand (`make geth`), indexed and served the same way. A proof is the node's work: anvil rebuilds
its whole state trie for each eth_getProof (some 23 ms over this slice, more than the target alone), geth keeps its
trie and walks it, as any client a network of authorities runs does. Writes var/bench/verify.json and prints it as
its last line.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import random
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import requests

from ledger.chain.geth import GETH_VERSION, development_node
from ledger.chain.localchain import LOCAL_CHAIN_ID, free_port
from ledger.settings import PROJECT_ROOT
from scripts.bench_support import CONNECTIONS, on_fresh_chain, write_result, wrk
from scripts.generate_register import generate, write
from wallet.devkeys import dev_account, dev_accounts

FIRMS, SECONDS, BATCH, BATCH_RUNS = 400, 20, 1_000, 20
WORKERS = os.environ.get("GUNICORN_WORKERS", "2")  # sync workers: measured faster here than gthread or 3-4 workers
TARGETS = {"rps": 1_500, "ratio": 0.75, "p99_vs_floor": 2.0, "batch1000_ms": 60, "proof_ms": 20}
PROOF_RUNS = 50
BIN = Path(sys.executable).parent


def measure(chain_url: str, workdir: Path) -> dict[str, float | int | bool | str]:
    env = _environment(chain_url, workdir)
    numbers = _load_register(env, workdir)
    lookups = [f"/api/v1/certificates/{quote(n)}" for n in numbers]
    with _indexed(env):
        with _served("api:create_app()", env) as base:
            _wait_ready(base)
            wrk(base, lookups, workdir, 3)  # warm-up, not measured
            single = wrk(base, lookups, workdir, SECONDS)
            chain = wrk(base, [f"{path}?source=chain" for path in lookups], workdir, SECONDS)
            batch_ms = _batch(base, numbers)
            anvil_proof_ms = _proofs(base, numbers)
            anvil_node_ms = _node_proofs(chain_url, workdir)
        with _served("scripts.bench_floor:app", env) as base:
            _wait_until(f"{base}{lookups[0]}")
            wrk(base, lookups, workdir, 3)
            floor = wrk(base, lookups, workdir, SECONDS)
        with _served("scripts.bench_floor:driver", env) as base:
            _wait_until(f"{base}{lookups[0]}")
            wrk(base, lookups, workdir, 3)
            driver = wrk(base, lookups, workdir, SECONDS)
    proof_ms, node_ms = _proofs_on_geth(workdir / "geth")
    result: dict[str, float | int | bool | str] = {
        "rps": single["rps"],
        "p50_ms": single["p50_ms"],
        "p99_ms": single["p99_ms"],
        "errors": single["errors"],
        "floor_rps": floor["rps"],
        "floor_p50_ms": floor["p50_ms"],
        "floor_p99_ms": floor["p99_ms"],
        "floor_errors": floor["errors"],
        "ratio": round(single["rps"] / floor["rps"], 3),
        "floor_driver_rps": driver["rps"],
        "ratio_driver": round(single["rps"] / driver["rps"], 3),
        "concurrency": CONNECTIONS,
        "seconds": SECONDS,
        "requests": single["requests"],
        "batch1000_ms": round(statistics.median(batch_ms), 1),
        "batch1000_max_ms": round(max(batch_ms), 1),
        "proof_ms": round(statistics.median(proof_ms), 1),
        "proof_p90_ms": round(statistics.quantiles(proof_ms, n=10)[-1], 1),
        "proof_node_ms": round(statistics.median(node_ms), 1),
        "proof_node": f"geth {GETH_VERSION}, Clique, the same slice",
        "proof_anvil_ms": round(statistics.median(anvil_proof_ms), 1),
        "proof_anvil_node_ms": round(statistics.median(anvil_node_ms), 1),
        "chain_rps": chain["rps"],
        "chain_p99_ms": chain["p99_ms"],
        "chain_errors": chain["errors"],
        "certificates": len(numbers),
        "server": f"gunicorn, {WORKERS} sync workers",
        "load": f"wrk -c{CONNECTIONS} -t2 -d{SECONDS}s",
        "cores": os.cpu_count() or 0,
    }
    result["meets_targets"] = (
        single["rps"] >= TARGETS["rps"]
        and result["ratio"] >= TARGETS["ratio"]  # type: ignore[operator]
        and single["p99_ms"] <= TARGETS["p99_vs_floor"] * floor["p99_ms"]
        and single["errors"] == 0
        and result["batch1000_ms"] <= TARGETS["batch1000_ms"]  # type: ignore[operator]
        and result["proof_ms"] <= TARGETS["proof_ms"]  # type: ignore[operator]
    )
    return result


def _environment(chain_url: str, workdir: Path) -> dict[str, str]:
    """The ledger's settings for a deployment on ``chain_url`` kept in ``workdir``."""
    return {
        **os.environ,
        "LEDGER_RPC_URL": chain_url,
        "LEDGER_DEPLOYMENT": str(workdir / "deployment.json"),
        "DATABASE_URL": f"sqlite:///{workdir / 'ledger.db'}",
        "LEDGER_DATA_DIR": str(workdir),
        "RATE_LIMIT_ANONYMOUS": "100000000/minute",
    }


@contextlib.contextmanager
def _indexed(env: dict[str, str]) -> Iterator[None]:
    """``ledger index`` following the chain while the block runs."""
    indexer = subprocess.Popen([BIN / "ledger", "index"], env=env, stdout=subprocess.DEVNULL, cwd=PROJECT_ROOT)
    try:
        yield
    finally:
        indexer.terminate()
        indexer.wait(timeout=30)


def _proofs_on_geth(workdir: Path) -> tuple[list[float], list[float]]:
    """``_proofs`` and ``_node_proofs`` with the same slice on a geth development node: deployed, imported, indexed
    and served as on anvil."""
    sealer = dev_account("ministry", LOCAL_CHAIN_ID)
    node = development_node(workdir / "node", dev_accounts(LOCAL_CHAIN_ID), sealer=sealer).start()
    try:
        env = _environment(node.url, workdir)
        numbers = _load_register(env, workdir)
        with _indexed(env), _served("api:create_app()", env) as base:
            _wait_ready(base)
            return _proofs(base, numbers), _node_proofs(node.url, workdir)
    finally:
        node.stop()


def _load_register(env: dict[str, str], workdir: Path) -> list[str]:
    """Deploy, import the slice through `ledger import`, index it once; the certificate numbers on chain."""
    today = dt.datetime.now(dt.UTC).date()
    firms_csv, planners_csv = write(generate(2022, 3000, today), workdir / "register", firms=FIRMS)
    ledger = [str(BIN / "ledger")]
    subprocess.run([*ledger, "deploy"], env=env, check=True, cwd=PROJECT_ROOT, stdout=subprocess.DEVNULL)
    subprocess.run(
        [*ledger, "import", str(firms_csv), str(planners_csv), "--no-progress"],
        env=env, check=True, cwd=PROJECT_ROOT, stdout=subprocess.DEVNULL,
    )  # fmt: skip
    subprocess.run([*ledger, "index", "--once"], env=env, check=True, cwd=PROJECT_ROOT, stdout=subprocess.DEVNULL)
    numbers = []
    for path in (firms_csv, planners_csv):
        lines = path.read_text(encoding="utf-8").splitlines()[1:]
        numbers += [line.split(",")[0] for line in lines]
    random.Random(7).shuffle(numbers)
    return numbers


@contextlib.contextmanager
def _served(app: str, env: dict[str, str]) -> Iterator[str]:
    """``app`` under gunicorn with the benchmark's settings, on a free port: its base URL while the block runs."""
    port = free_port()
    server = subprocess.Popen(
        [BIN / "gunicorn", "--config", "python:api.server", "--bind", f"127.0.0.1:{port}", "--workers", WORKERS,
         "--log-level", "warning", app],
        env=env, cwd=PROJECT_ROOT,
    )  # fmt: skip
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.terminate()
        server.wait(timeout=30)


def _wait_ready(base: str, timeout: float = 60) -> None:
    _wait_until(f"{base}/readyz", timeout)


def _wait_until(url: str, timeout: float = 60) -> None:
    """Until ``url`` answers 200."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if requests.get(url, timeout=2).status_code == 200:
                return
        except (requests.ConnectionError, requests.Timeout):  # not up yet, or busy starting
            pass
        time.sleep(0.3)
    raise TimeoutError(f"{url} did not answer 200 in {timeout:.0f} s")


def _batch(base: str, numbers: list[str]) -> list[float]:
    """Milliseconds per thousand-item verification, as a client sees them (request and JSON included)."""
    session = requests.Session()
    session.post(f"{base}/api/v1/verify", json={"numbers": numbers[:BATCH]}, timeout=10).raise_for_status()  # warm-up
    timings = []
    for run in range(BATCH_RUNS):
        chosen = random.Random(run).sample(numbers, min(BATCH, len(numbers)))
        started = time.perf_counter()
        response = session.post(f"{base}/api/v1/verify", json={"numbers": chosen}, timeout=10)
        timings.append((time.perf_counter() - started) * 1000)
        response.raise_for_status()
        assert len(response.json()["results"]) == len(chosen)
    return timings


def _proofs(base: str, numbers: list[str]) -> list[float]:
    """Milliseconds per lookup with its storage proof (``?proof=storage``: one eth_getProof and a header), as a
    client sees them, each for another certificate."""
    session = requests.Session()
    session.get(f"{base}/api/v1/certificates/{quote(numbers[0])}?proof=storage", timeout=10).raise_for_status()
    timings = []
    for number in random.Random(11).sample(numbers, PROOF_RUNS):
        started = time.perf_counter()
        response = session.get(f"{base}/api/v1/certificates/{quote(number)}?proof=storage", timeout=10)
        timings.append((time.perf_counter() - started) * 1000)
        response.raise_for_status()
        assert response.json()["proof"]["storage"]["certificates"][0]["number"] == number
    return timings


def _node_proofs(chain_url: str, workdir: Path) -> list[float]:
    """Milliseconds the node alone takes for an eth_getProof of one slot of the registry (no API in between): what
    of a proof's time is the node's."""
    registry = json.loads((workdir / "deployment.json").read_text())["address"]
    session, timings = requests.Session(), []
    for run in range(PROOF_RUNS // 5):
        request = {
            "jsonrpc": "2.0",
            "id": run,
            "method": "eth_getProof",
            "params": [registry, ["0x" + "00" * 32], "latest"],
        }
        started = time.perf_counter()
        session.post(chain_url, json=request, timeout=10).raise_for_status()
        timings.append((time.perf_counter() - started) * 1000)
    return timings


def main() -> None:
    write_result("verify", on_fresh_chain(measure))


if __name__ == "__main__":
    main()
