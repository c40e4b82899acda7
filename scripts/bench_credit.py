"""``make bench-credit``: credit grading of the whole synthetic national register.

On a fresh anvil: the 3,000-firm register is imported and indexed, the firms' annual-report profiles loaded, and
credit records put on chain for one firm in ten (honours and dishonesty, pipelined). Then, in this process,
median of ``RUNS``: the model alone (``assess`` over every qualified firm), the whole picture (the index's queries,
the model and the three lists), and the API's answers for one firm's credit and the yellow list (in-process
client; the first call after the index moves recomputes the picture). Writes var/bench/credit.json.
"""

from __future__ import annotations

import datetime as dt
import statistics
import time
from collections.abc import Callable
from pathlib import Path

from eth_account.signers.local import LocalAccount

from api import create_app
from ledger.certificates import importer
from ledger.chain.deployment import ensure_demo_deployment
from ledger.chain.transactions import TransactionSender
from ledger.credit.acts import credit_request, credit_struct
from ledger.credit.model import assess
from ledger.credit.profiles import load_profiles
from ledger.credit.register import QualifiedFirm, firm_facts, published_records, qualified_firms
from ledger.credit.supervision import picture
from ledger.credit.vocabulary import Category, CreditKind, Severity
from ledger.rules import grading_rules
from ledger.wiring import Ledger
from scripts.bench_support import on_fresh_chain, write_result
from scripts.generate_register import generate, write
from wallet.devkeys import dev_account

RUNS = 7
TARGETS = {"picture_ms": 1000}


def measure(chain_url: str, workdir: Path) -> dict[str, object]:
    database = f"sqlite:///{workdir / 'ledger.db'}"
    ledger = Ledger(chain_url, workdir / "deployment.json", database, vault_url=f"sqlite:///{workdir / 'vault.db'}")
    w3 = ledger.w3
    record, _ = ensure_demo_deployment(w3, ledger.record_path, ledger.artifact)
    registry, credit = ledger.registry, ledger.credit
    today = dt.datetime.fromtimestamp(w3.eth.get_block("latest")["timestamp"], dt.UTC).date()
    firms_csv, planners_csv = write(generate(2022, 3000, today), workdir / "register")
    engine = ledger.engine
    indexer = ledger.indexer()
    ministry = ledger.sender(dev_account("ministry", record.chain_id))
    plan = importer.plan(firms_csv, planners_csv, engine, ledger.vault)

    def sender_for(account: LocalAccount) -> TransactionSender:  # one sender per key: the ministry's is kept
        return ministry if account.address == ministry.address else ledger.sender(account)

    issuers = importer.development_issuers(registry, sender_for, record.chain_id)
    importer.issue(plan, ledger.vault, issuers, registry, issued_ids=lambda: set())
    load_profiles(engine, workdir / "register" / "profiles.csv")
    indexer.sync()

    now = w3.eth.get_block("latest")["timestamp"]
    with engine.connect() as connection:
        firms = sorted(qualified_firms(connection, now).values(), key=lambda f: f.number)
    pending = [
        ministry.send(credit.functions.recordCredit(_request(i, firm, now))) for i, firm in enumerate(firms[::10])
    ]
    for tx in pending:
        ministry.wait(tx)
    indexer.sync()

    rules = grading_rules()
    with engine.connect() as connection:
        facts = firm_facts(qualified_firms(connection, now), published_records(connection, now), now)
        model_ms = _median_ms(lambda: assess(facts, rules))
        picture_ms = _median_ms(lambda: picture(connection, now))
        view = picture(connection, now)

    client = create_app(
        {
            "TESTING": True, "LEDGER_RPC_URL": chain_url, "LEDGER_DEPLOYMENT": str(ledger.record_path),
            "DATABASE_URL": database, "API_TOKEN_SECRET": "bench-only", "RATE_LIMIT_ANONYMOUS": "1000000/minute",
        }
    ).test_client()  # fmt: skip
    code = firms[0].credit_code
    started = time.perf_counter()
    assert client.get(f"/api/v1/firms/{code}/credit").status_code == 200
    cold_ms = (time.perf_counter() - started) * 1000
    warm_ms = _median_ms(lambda: client.get(f"/api/v1/firms/{code}/credit"))
    yellow_ms = _median_ms(lambda: client.get("/api/v1/lists/yellow"))
    grades = [a.grade for a in view.assessments.values()]
    result: dict[str, object] = {
        "firms_graded": len(view.assessments),
        "credit_records": len(pending),
        "grades": {letter: grades.count(letter) for letter in "ABCD"},
        "lists": {name: len(view.listed(name)) for name in ("honesty", "yellow", "black")},
        "model_ms": round(model_ms, 1),
        "picture_ms": round(picture_ms, 1),
        "api_credit_cold_ms": round(cold_ms, 1),
        "api_credit_warm_ms": round(warm_ms, 2),
        "api_yellow_list_warm_ms": round(yellow_ms, 2),
        "rules": rules.rules.citation(),
    }
    result["meets_targets"] = picture_ms <= TARGETS["picture_ms"]
    return result


def _request(i: int, firm: QualifiedFirm, now: int) -> tuple[object, ...]:
    """Every third an honour, the rest dishonesty of rising severity: a mix the lists and grades all react to."""
    certificate = bytes.fromhex(firm.certificate_id[2:])
    if i % 3 == 0:
        fields = credit_request(
            certificate, decision=f"奖〔2026〕{i}号", now=now, kind=CreditKind.HONOUR, severity=Severity.NONE,
            category=Category.PROVINCIAL_AWARD, points=10 + i % 20, days=365,
        )  # fmt: skip
    else:
        severity = (Severity.MINOR, Severity.GENERAL, Severity.SERIOUS)[i % 3]
        days = {Severity.MINOR: 60, Severity.GENERAL: 200, Severity.SERIOUS: 500}[severity]
        fields = credit_request(certificate, decision=f"罚〔2026〕{i}号", now=now, severity=severity, days=days)
    return credit_struct(fields)


def _median_ms(run: Callable[[], object]) -> float:
    run()  # warm-up
    times = []
    for _ in range(RUNS):
        started = time.perf_counter()
        run()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


if __name__ == "__main__":
    write_result("credit", on_fresh_chain(measure))
