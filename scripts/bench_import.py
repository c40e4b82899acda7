"""``make bench-import``: the whole synthetic national register imported onto a fresh anvil, then the read model
rebuilt from the chain.

Measures, in this process: import wall time (validation, vault, pipelined batches; the indexer excluded), the
rate, the peak resident memory, a full reindex into an empty database, and one full pass of the continuous audit
over the rebuilt read model (every certificate re-read from the registry: ``audit_seconds``). Writes
var/bench/import.json and prints the same JSON as its last line.
"""

from __future__ import annotations

import datetime as dt
import resource
import time
from pathlib import Path

from ledger.certificates import importer
from ledger.certificates.vocabulary import Kind
from ledger.chain.deployment import ensure_demo_deployment
from ledger.index.indexer import Indexer
from ledger.wiring import Ledger
from scripts.bench_support import on_fresh_chain, write_result
from scripts.generate_register import generate, write

TARGETS = {"per_second": 250, "reindex_events_per_second": 2_000, "peak_rss_mb": 600, "audit_seconds": 60}


def measure(chain_url: str, workdir: Path) -> dict[str, float | int | bool]:
    ledger = Ledger(
        chain_url,
        workdir / "deployment.json",
        f"sqlite:///{workdir / 'import.db'}",
        vault_url=f"sqlite:///{workdir / 'vault.db'}",
    )
    w3 = ledger.w3
    record, _ = ensure_demo_deployment(w3, ledger.record_path, ledger.artifact)
    registry = ledger.registry
    today = dt.datetime.fromtimestamp(w3.eth.get_block("latest")["timestamp"], dt.UTC).date()
    firms_csv, planners_csv = write(generate(2022, 3000, today), workdir / "register")
    engine = ledger.engine

    def indexer(database: str) -> Indexer:
        return Ledger(chain_url, ledger.record_path, f"sqlite:///{workdir / database}").indexer()

    started = time.perf_counter()
    plan = importer.plan(firms_csv, planners_csv, engine, ledger.vault)
    issuers = importer.development_issuers(registry, ledger.sender, record.chain_id)
    outcome = importer.issue(
        plan, ledger.vault, issuers, registry, issued_ids=lambda: indexer("ids.db").logged_ids("CertificateIssued")
    )
    seconds = time.perf_counter() - started
    if plan.problems or outcome.refused or outcome.issued != len(plan.items):
        raise SystemExit(f"import incomplete: {len(plan.problems)} bad rows, {len(outcome.refused)} refused")

    rebuild = indexer("reindex.db")
    started = time.perf_counter()
    events = rebuild.sync().events
    reindex_seconds = time.perf_counter() - started
    audit = Ledger(chain_url, ledger.record_path, f"sqlite:///{workdir / 'reindex.db'}").auditor().full_pass()

    result: dict[str, float | int | bool] = {
        "certificates": outcome.issued,
        "firms": sum(1 for i in plan.items if i.kind == Kind.FIRM),
        "planners": sum(1 for i in plan.items if i.kind == Kind.PLANNER),
        "seconds": round(seconds, 2),
        "per_second": round(outcome.issued / seconds, 1),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "reindex_events": events,
        "reindex_seconds": round(reindex_seconds, 2),
        "reindex_events_per_second": round(events / reindex_seconds, 1),
        "audit_seconds": audit.seconds,
        "audit_certificates": audit.certificates,
        "audit_mismatches": audit.mismatches,
    }
    result["meets_targets"] = (
        result["per_second"] >= TARGETS["per_second"]
        and result["reindex_events_per_second"] >= TARGETS["reindex_events_per_second"]
        and result["peak_rss_mb"] <= TARGETS["peak_rss_mb"]
        and audit.seconds <= TARGETS["audit_seconds"]
        and audit.mismatches == 0
    )
    return result


def main() -> None:
    write_result("import", on_fresh_chain(measure))


if __name__ == "__main__":
    main()
