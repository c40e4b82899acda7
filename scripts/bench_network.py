"""``make bench-network``: the ledger on the development network of authorities (``ledger.chain.network``: three
Clique sealers and the reader, a block every LEDGER_NETWORK_PERIOD seconds), served by the production profile
(``scripts.production``: nginx before two API instances on PostgreSQL and Redis, the indexer) pointed at the
network's nodes, everything under var/bench-network on free ports and stopped at the end. Three figures:

- **import**: a slice of the synthetic register (BENCH_NETWORK_FIRMS firms, 400, and their planners) validated and
  issued as ``ledger import`` does (``importer.plan`` and ``importer.issue``, timed in this process as ``make
  bench-import`` does) through the reader. ``bound_per_s`` is what the chain admits: (block gas limit ÷ period) ÷ gas
  per certificate, the gas limit read from the chain's blocks and the gas per certificate from the import's own
  receipts; the target is ``import_per_s`` ≥ 0.8 × ``bound_per_s``. ``block_fill`` is the import blocks' mean
  gas used ÷ gas limit: how full the chain was kept.
- **acts**: BENCH_NETWORK_ACTS single acts (a suspension, then its reinstatement, of one certificate after another)
  signed by the Zhejiang regulator's key and sent through the Zhejiang sealer's node, each timed from send until
  the API (through nginx) answers the new status: the indexer's confirmations on this chain plus a block to be
  mined make ``expected_s`` = (confirmations + 1) × period; the target is the p50 within one period of it.
- **verify**: wrk on ``GET /api/v1/certificates/{number}`` through nginx for BENCH_NETWORK_SECONDS (20), then the
  framework floor (``scripts.bench_floor:app``, one SELECT by number) served on the same two instance ports behind
  the same nginx on the same PostgreSQL, as ``make bench-verify`` compares the API with it in one run.

Every figure is written with the environment it was taken in (cores, load average, period, confirmations) to
var/bench/network.json, also printed as the last line. BENCH_NETWORK_FIRMS=40 BENCH_NETWORK_ACTS=4
BENCH_NETWORK_SECONDS=5 is a short run for development.
"""

from __future__ import annotations

import datetime as dt
import os
import random
import shutil
import statistics
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

import requests
from hexbytes import HexBytes
from web3 import Web3
from web3.contract import Contract
from web3.exceptions import TransactionNotFound
from web3.logs import DISCARD

from ledger.certificates import importer
from ledger.certificates.client import certificate_id
from ledger.certificates.identifiers import PROVINCES
from ledger.certificates.vocabulary import Grade, Kind
from ledger.chain.deployment import ensure_demo_deployment
from ledger.chain.localchain import free_port
from ledger.chain.network import DEFAULT_PERIOD, DevelopmentNetwork
from ledger.settings import data_dir, keep_data_private
from ledger.wiring import Ledger
from scripts.bench_support import CONNECTIONS, write_result, wrk
from scripts.generate_register import generate, write
from scripts.production import Layout, Profile, environment_of
from wallet.devkeys import NETWORK_CHAIN_ID, dev_account

FIRMS = int(os.environ.get("BENCH_NETWORK_FIRMS", "400"))
ACTS = int(os.environ.get("BENCH_NETWORK_ACTS", "20"))
SECONDS = int(os.environ.get("BENCH_NETWORK_SECONDS", "20"))
PERIOD = int(os.environ.get("LEDGER_NETWORK_PERIOD", str(DEFAULT_PERIOD)))
TARGETS = {"import_vs_bound": 0.8, "act_within_periods": 1.0}
UNLIMITED = {name: "100000000/minute" for name in ("RATE_LIMIT_ANONYMOUS", "RATE_LIMIT_SIGNED_IN", "RATE_LIMIT_AUTH")}
ACTOR = "zhejiang"  # 浙江省自然资源厅: its regulator signs, its own sealing node takes the transaction
ACTOR_PROVINCE = 33
SUSPEND_REASON, REINSTATE_REASON = 1, 0
ACT_TIMEOUT = 60.0
# The profile's own folders (vault key, dossiers), in this process too while it imports into the profile's vault
PROFILE_PLACES = ("LEDGER_DATA_DIR", "LEDGER_VAULT_KEY_FILE", "LEDGER_DOSSIER_DIR")


@dataclass(frozen=True)
class Imported:
    figures: dict[str, Any]
    numbers: list[str]  # every certificate issued
    actable: list[str]  # grade B firm certificates of the actor's province


def main() -> None:
    keep_data_private()
    root = data_dir() / "bench-network"
    shutil.rmtree(root, ignore_errors=True)  # a fresh chain and fresh databases every run
    network = DevelopmentNetwork(root / "network", period=PERIOD)  # free ports
    layout = Layout(
        root=root,
        port=free_port(),
        api_ports=(free_port(), free_port()),
        redis_port=free_port(),
        postgres_port=free_port(),
        rpc_url=",".join(network.rpc_urls),  # the reader first: what the API and the indexer read through
        settings=UNLIMITED,
    )
    profile = Profile(layout)
    try:
        network.start(timeout=120)
        profile.start_stores()
        result = measure(network, profile)
    finally:
        profile.stop()
        network.stop()
    write_result("network", result)


def measure(network: DevelopmentNetwork, profile: Profile) -> dict[str, Any]:
    layout = profile.layout
    env = layout.environment()
    with environment_of(
        {name: env[name] for name in ("LEDGER_DATA_DIR", "LEDGER_VAULT_KEY_FILE", "LEDGER_DOSSIER_DIR")}
    ):
        ledger = Ledger(
            layout.chain_url,
            layout.root / "deployment.json",
            layout.database_url("ledger"),
            vault_url=layout.database_url("vault"),
        )
        ensure_demo_deployment(ledger.w3, ledger.record_path, ledger.artifact, PROVINCES)
        imported = _import(ledger, layout.root / "register")
    profile.serve()
    profile.wait_ready(timeout=300)
    confirmations = ledger.indexer().confirmations  # the profile's indexer goes by the same default
    acts = _acts(ledger, network, layout.url, imported.actable)
    verify = _verify(profile, imported.numbers)
    expected_s = (confirmations + 1) * network.period
    result: dict[str, Any] = {
        **imported.figures,
        "act_to_indexed_p50_s": round(statistics.median(acts["indexed"]), 2),
        "act_to_indexed_max_s": round(max(acts["indexed"]), 2),
        "act_to_mined_p50_s": round(statistics.median(acts["mined"]), 2),
        "acts": len(acts["indexed"]),
        "expected_s": expected_s,
        **verify,
        "environment": {
            "cores": os.cpu_count() or 0,
            "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
            "period_s": network.period,
            "confirmations": confirmations,
            "network": "geth v1.13.15 Clique: 3 sealers + 1 reader on loopback",
            "server": f"nginx → 2 gunicorn instances × {layout.workers} sync workers, PostgreSQL, Redis",
            "load": f"wrk -c{CONNECTIONS} -t2 -d{SECONDS}s",
            "firms": FIRMS,
        },
    }
    result["meets_import"] = result["import_per_s"] >= TARGETS["import_vs_bound"] * result["bound_per_s"]
    result["meets_acts"] = abs(result["act_to_indexed_p50_s"] - expected_s) <= network.period
    result["meets_targets"] = result["meets_import"] and result["meets_acts"] and verify["errors"] == 0
    return result


def _import(ledger: Ledger, folder: Path) -> Imported:
    """The register slice issued as ``ledger import`` issues it, through the reader; the figures from its blocks."""
    w3 = ledger.w3
    today = dt.datetime.fromtimestamp(w3.eth.get_block("latest")["timestamp"], dt.UTC).date()
    firms_csv, planners_csv = write(generate(2022, 3000, today), folder, firms=FIRMS)
    indexer = ledger.indexer()
    first_block = w3.eth.block_number + 1
    started = time.perf_counter()
    plan = importer.plan(firms_csv, planners_csv, ledger.engine, ledger.vault)
    planned = time.perf_counter() - started
    issuers = importer.development_issuers(ledger.registry, ledger.sender, NETWORK_CHAIN_ID)
    outcome = importer.issue(
        plan, ledger.vault, issuers, ledger.registry, issued_ids=lambda: indexer.logged_ids("CertificateIssued")
    )
    seconds = time.perf_counter() - started
    if plan.problems or outcome.refused or outcome.issued != len(plan.items):
        raise SystemExit(f"import incomplete: {len(plan.problems)} bad rows, {len(outcome.refused)} refused")
    last_block = w3.eth.block_number
    gas, certificates, gas_limits, fills, batches, largest = _batch_gas(w3, ledger.registry, first_block, last_block)
    gas_limit = max(gas_limits)
    gas_per_certificate = gas / certificates
    bound = gas_limit / PERIOD / gas_per_certificate
    figures = {
        "import_per_s": round(outcome.issued / seconds, 1),
        "bound_per_s": round(bound, 1),
        "import_vs_bound": round(outcome.issued / seconds / bound, 3),
        "certificates": outcome.issued,
        "firms": sum(1 for i in plan.items if i.kind == Kind.FIRM),
        "planners": sum(1 for i in plan.items if i.kind == Kind.PLANNER),
        "import_seconds": round(seconds, 2),
        "gas_limit": gas_limit,
        "gas_per_certificate": round(gas_per_certificate),
        "plan_seconds": round(planned, 2),
        "batches": batches,
        "largest_batch": largest,
        "import_blocks": last_block - first_block + 1,
        "block_fill": round(statistics.mean(fills), 3),
        "measured_period_s": round(_measured_period(w3, first_block, last_block), 2),
    }
    actable = [
        i.request["number"]
        for i in plan.items
        if i.kind == Kind.FIRM and i.request["grade"] == Grade.B and i.request["province"] == ACTOR_PROVINCE
    ]
    return Imported(figures, [i.request["number"] for i in plan.items], actable)


def _measured_period(w3: Web3, first: int, last: int) -> float:
    """Seconds between blocks as the chain's timestamps say, over the import's blocks."""
    if last <= first:
        return float(PERIOD)
    return (w3.eth.get_block(last)["timestamp"] - w3.eth.get_block(first)["timestamp"]) / (last - first)


def _batch_gas(
    w3: Web3, registry: Contract, first: int, last: int
) -> tuple[int, int, list[int], list[float], int, int]:
    """Over blocks ``first``..``last``: the gas of the registry's ``issueBatch`` transactions and the certificates
    they issued (one CertificateIssued log each), every block's gas limit and fill, the number of batches and the
    certificates of the largest."""
    issued = registry.events.CertificateIssued()
    gas = certificates = batches = largest = 0
    limits, fills = [], []
    for number in range(first, last + 1):
        block = w3.eth.get_block(number, full_transactions=True)
        limits.append(block["gasLimit"])
        fills.append(block["gasUsed"] / block["gasLimit"])
        for tx in block["transactions"]:
            if not isinstance(tx, Mapping) or tx["to"] != registry.address:
                continue
            if registry.decode_function_input(tx["input"])[0].fn_name != "issueBatch":
                continue
            receipt = w3.eth.get_transaction_receipt(tx["hash"])
            gas += receipt["gasUsed"]
            count = len(issued.process_receipt(receipt, errors=DISCARD))
            certificates += count
            batches += 1
            largest = max(largest, count)
    return gas, certificates, limits, fills, batches, largest


def _acts(ledger: Ledger, network: DevelopmentNetwork, api: str, numbers: Sequence[str]) -> dict[str, list[float]]:
    """ACTS single acts, each timed from send to mined (its receipt at the reader) and to the API's answer."""
    if len(numbers) * 2 < ACTS:
        raise SystemExit(f"{len(numbers)} grade B certificates of province {ACTOR_PROVINCE}: too few for {ACTS} acts")
    through = Ledger(network.nodes[ACTOR].url, ledger.record_path, engine=ledger.engine)
    sender = through.sender(dev_account(ACTOR, NETWORK_CHAIN_ID))
    functions = through.registry.functions
    session = requests.Session()
    timings: dict[str, list[float]] = {"indexed": [], "mined": []}
    for number, suspend in _act_sequence(numbers):
        cid = certificate_id(number)
        call = functions.suspend(cid, SUSPEND_REASON) if suspend else functions.reinstate(cid, REINSTATE_REASON)
        wanted = "SUSPENDED" if suspend else "ACTIVE"
        started = time.monotonic()
        tx_hash = sender.send(call)
        mined = None
        while True:
            elapsed = time.monotonic() - started
            if elapsed > ACT_TIMEOUT:
                raise SystemExit(f"{number} not {wanted} through the API {ACT_TIMEOUT:.0f} s after its act")
            if mined is None and _mined(ledger.w3, tx_hash):
                mined = elapsed
            answer = session.get(f"{api}/api/v1/certificates/{quote(number)}", timeout=10).json()
            if answer.get("status") == wanted:
                break
            time.sleep(0.05)
        timings["indexed"].append(elapsed)
        timings["mined"].append(elapsed if mined is None else mined)
    return timings


def _act_sequence(numbers: Sequence[str]) -> Iterator[tuple[str, bool]]:
    """(number, suspend?) for ACTS acts: each certificate suspended, then reinstated."""
    for index in range(ACTS):
        yield numbers[index // 2], index % 2 == 0


def _mined(w3: Web3, tx_hash: HexBytes) -> bool:
    try:
        w3.eth.get_transaction_receipt(tx_hash)
    except TransactionNotFound:
        return False
    return True


def _verify(profile: Profile, numbers: list[str]) -> dict[str, Any]:
    """The API through nginx under wrk, then the framework floor on the same instance ports, proxy and database."""
    workdir = profile.layout.root / "wrk"
    workdir.mkdir(parents=True, exist_ok=True)
    shuffled = random.Random(7).sample(numbers, len(numbers))
    lookups = [f"/api/v1/certificates/{quote(n)}" for n in shuffled]
    base = profile.layout.url
    wrk(base, lookups, workdir, 3)  # warm-up, not measured
    api = wrk(base, lookups, workdir, SECONDS)
    profile.stop_instances()
    profile.start_instances("scripts.bench_floor:app", ready_path=lookups[0])
    wrk(base, lookups, workdir, 3)
    floor = wrk(base, lookups, workdir, SECONDS)
    return {
        "rps": api["rps"],
        "p50_ms": api["p50_ms"],
        "p99_ms": api["p99_ms"],
        "errors": api["errors"],
        "requests": api["requests"],
        "floor_rps": floor["rps"],
        "floor_p50_ms": floor["p50_ms"],
        "floor_p99_ms": floor["p99_ms"],
        "floor_errors": floor["errors"],
        "ratio": round(api["rps"] / floor["rps"], 3),
    }


if __name__ == "__main__":
    main()
