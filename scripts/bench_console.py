"""``make bench-console``: the regulators' console with the whole synthetic register and 1,000 applications.

On a fresh anvil: the national register (3,000 firms and their planners) imported, then 1,000 applications put
on chain in mixed stages by the provinces' development regulators (filed on paper, some asked for completion,
accepted, reviewed, in notice, refused, and grade A upgrades reviewed by the province), and indexed. Then, in this
process, through the app's own WSGI stack with a signed-in session (Sign-In with Ethereum, as a browser does):
the server time of the work-queue page of each desk and of every sampled application's page, p50 and p95; and the
weight of the console's first load (the queue page, its stylesheet and its script). Writes var/bench/console.json.
"""

from __future__ import annotations

import cProfile
import datetime as dt
import os
import pstats
import random
import re
import statistics
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

from eth_account.signers.local import LocalAccount
from eth_utils import keccak
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from api import create_app
from ledger.certificates import importer
from ledger.certificates.documents import firm_subject
from ledger.certificates.identifiers import credit_code_check_character
from ledger.certificates.vocabulary import Grade, Kind, Status
from ledger.chain.deployment import ensure_demo_deployment
from ledger.licensing.client import ZERO, ApplicationKind, application_id, filing_public_data
from ledger.store.models import Application, Certificate
from ledger.wiring import Ledger
from scripts.bench_support import on_fresh_chain, write_result
from scripts.generate_register import generate, write
from wallet.devkeys import dev_account, dev_province_account
from wallet.siwe import SiweMessage, sign_in

TARGETS = {"p95_ms": 100.0, "first_load_kb": 300.0}
PROVINCES = (33, 11, 44, 32, 37)  # 浙江, 北京, 广东, 江苏, 山东: 200 applications each
APPLICATIONS = 1_000
SAMPLES = 40  # page loads per desk's queue
CSRF = re.compile(r'<meta name="csrf-token" content="([^"]+)">')


def measure(chain_url: str, workdir: Path) -> dict[str, Any]:
    ledger = Ledger(
        chain_url,
        workdir / "deployment.json",
        f"sqlite:///{workdir / 'console.db'}",
        vault_url=f"sqlite:///{workdir / 'vault.db'}",
    )
    w3 = ledger.w3
    record, _ = ensure_demo_deployment(w3, ledger.record_path, ledger.artifact, provinces=PROVINCES)
    today = dt.datetime.fromtimestamp(w3.eth.get_block("latest")["timestamp"], dt.UTC).date()
    firms_csv, planners_csv = write(generate(2022, 3000, today), workdir / "register")
    plan = importer.plan(firms_csv, planners_csv, ledger.engine, ledger.vault)
    issuers = importer.development_issuers(ledger.registry, ledger.sender, record.chain_id)
    importer.issue(plan, ledger.vault, issuers, ledger.registry, issued_ids=lambda: set())
    ledger.indexer().sync()
    started = time.perf_counter()
    stages = file_applications(ledger, record.chain_id)
    ledger.indexer().sync()
    filing_seconds = time.perf_counter() - started

    app = create_app({
        "LEDGER_RPC_URL": chain_url, "LEDGER_DEPLOYMENT": str(ledger.record_path),
        "DATABASE_URL": f"sqlite:///{workdir / 'console.db'}", "API_TOKEN_SECRET": "bench-console",
        "PUBLIC_ORIGIN": "http://127.0.0.1:5000", "RATE_LIMIT_SIGNED_IN": "1000000/minute",
        "RATE_LIMIT_ANONYMOUS": "1000000/minute", "RATE_LIMIT_AUTH": "1000/minute",
    })  # fmt: skip
    with Session(ledger.engine) as session:
        by_province = {
            p: session.scalars(select(Application.id).where(Application.province == p)).all() for p in PROVINCES
        }
    profile = cProfile.Profile() if os.environ.get("BENCH_PROFILE") else None  # where the page time goes
    if profile:
        profile.enable()
    rng = random.Random(18)
    queue_ms: list[float] = []
    application_ms: list[float] = []
    weight = 0
    for province in PROVINCES:
        client = signed_in(app.test_client(), dev_province_account(province, record.chain_id))
        queue_ms += timed(client, ["/console"] * SAMPLES)
        ids = rng.sample(list(by_province[province]), min(SAMPLES, len(by_province[province])))
        application_ms += timed(client, [f"/console/applications/{i}" for i in ids])
        if province == PROVINCES[0]:
            weight = sum(len(client.get(path).data) for path in ("/console", "/static/site.css", "/static/wallet.js"))
    ministry = signed_in(app.test_client(), dev_account("ministry", record.chain_id))
    queue_ms += timed(ministry, ["/console"] * SAMPLES)

    if profile:
        profile.disable()
        pstats.Stats(profile, stream=sys.stderr).sort_stats("cumulative").print_stats(40)
    result: dict[str, Any] = {
        "firms": sum(1 for i in plan.items if i.kind == Kind.FIRM),
        "applications": sum(stages.values()),
        "stages": stages,
        "filing_seconds": round(filing_seconds, 1),
        "queue_p50_ms": percentile(queue_ms, 50),
        "queue_p95_ms": percentile(queue_ms, 95),
        "application_p50_ms": percentile(application_ms, 50),
        "application_p95_ms": percentile(application_ms, 95),
        "first_load_kb": round(weight / 1024, 1),
    }
    result["meets_targets"] = (
        result["queue_p95_ms"] <= TARGETS["p95_ms"]
        and result["application_p95_ms"] <= TARGETS["p95_ms"]
        and result["first_load_kb"] <= TARGETS["first_load_kb"]
    )
    return result


def file_applications(ledger: Ledger, chain_id: int) -> dict[str, int]:
    """1,000 applications in mixed stages, filed on paper and moved on by each province's regulator: of every ten,
    three stay filed, one awaits completion, two are accepted, one reviewed, one in notice, one refused and one is
    a grade A upgrade of a register firm reviewed by the province. Each round of steps is sent pipelined (every
    transaction of the round, then their receipts): the chain judges each one when it is mined."""
    with Session(ledger.engine) as session:
        live_grade_b = select(Certificate.id).where(
            Certificate.grade == int(Grade.B),
            Certificate.status == int(Status.ACTIVE),
            Certificate.kind == int(Kind.FIRM),
        )
        grade_b = {p: session.scalars(live_grade_b.where(Certificate.province == p)).all() for p in PROVINCES}
    functions = ledger.licensing.functions
    notice_ends = ledger.w3.eth.get_block("latest")["timestamp"] + functions.MIN_NOTICE_PERIOD().call() + 86400
    senders = {p: ledger.sender(dev_province_account(p, chain_id)) for p in PROVINCES}
    fates: dict[bytes, tuple[int, int]] = {}  # application id → (province, fate)
    rounds: list[list[tuple[int, Any]]] = [[], [], []]
    for province in PROVINCES:
        upgrades, regulator = iter(grade_b[province]), senders[province].address
        for index in range(APPLICATIONS // len(PROVINCES)):
            fate, dossier = index % 10, keccak(text=f"bench dossier {province} {index}")
            held = next(upgrades, None) if fate == 9 else None
            if held is not None:
                certificate = bytes.fromhex(held[2:])
                request = (ApplicationKind.UPGRADE, ZERO, certificate, 0, ZERO, dossier, b"")
                about = certificate
            else:
                fate = min(fate, 8)
                code = f"91{province}0100BC{index:04d}{fate}0A"  # a new firm of the province's capital
                code += credit_code_check_character(code)
                name = f"基准测试规划设计{province}-{index}所"
                request = (ApplicationKind.FIRST, firm_subject(code), ZERO, province, ZERO, dossier,
                           filing_public_data(code, name))  # fmt: skip
                about = request[1]
            rounds[0].append((province, functions.fileOnPaper(request)))
            fates[application_id(about, request[0], dossier, regulator)] = (province, fate)
    for application, (province, fate) in fates.items():
        rounds[1] += [(province, call) for call in _second(functions, application, fate)]
        rounds[2] += [(province, call) for call in _third(functions, application, fate, notice_ends)]
    for calls in rounds:
        hashes = [(senders[province], senders[province].send(call)) for province, call in calls]
        for sender, tx_hash in hashes:
            sender.wait(tx_hash)
    return dict(Counter(STAGE_OF_FATE[fate] for _, fate in fates.values()))


STAGE_OF_FATE = {0: "filed", 1: "filed", 2: "filed", 3: "completion-requested", 4: "accepted", 5: "accepted",
                 6: "reviewed", 7: "in-notice", 8: "refused", 9: "upgrade-province-reviewed"}  # fmt: skip


def _second(functions: Any, application: bytes, fate: int) -> list[Any]:
    """The second round: completion asked, or the application accepted."""
    if fate < 3:
        return []
    if fate == 3:
        return [functions.requestCompletion(application, keccak(text="缺社保证明"))]
    return [functions.accept(application)]


def _third(functions: Any, application: bytes, fate: int, notice_ends: int) -> list[Any]:
    """The third round: a review (with a notice, or the province's first review of an upgrade) or a refusal."""
    checks, opinion = keccak(text="checks"), keccak(text="同意")
    if fate in (6, 9):
        return [functions.review(application, checks, opinion, 0)]
    if fate == 7:
        return [functions.review(application, checks, opinion, notice_ends)]
    if fate == 8:
        return [functions.refuse(application, keccak(text="技术人员不足"))]
    return []


def signed_in(client: FlaskClient, account: LocalAccount) -> FlaskClient:
    """A client with a console session for ``account``: the page's CSRF token, a challenge signed, the cookie."""
    token = CSRF.search(client.get("/console").get_data(as_text=True))
    assert token is not None
    headers = {"X-CSRFToken": token.group(1)}
    message = client.post("/web/sign-in/challenge", json={"address": account.address}, headers=headers).json
    assert message is not None, "no challenge"
    text, signature = sign_in(account, SiweMessage.parse(message["message"]))
    answer = client.post("/web/sign-in", json={"message": text, "signature": signature}, headers=headers)
    assert answer.status_code == 200, answer.json
    return client


def timed(client: FlaskClient, paths: list[str]) -> list[float]:
    """Server time of each page in milliseconds (the WSGI call, rendering included), each answered 200."""
    times = []
    for path in paths:
        started = time.perf_counter()
        response = client.get(path)
        times.append((time.perf_counter() - started) * 1000)
        if response.status_code != 200:
            raise SystemExit(f"{path}: {response.status_code}")
    return times


def percentile(values: list[float], q: int) -> float:
    return round(statistics.quantiles(values, n=100)[q - 1], 1)


def main() -> None:
    write_result("console", on_fresh_chain(measure, state_interval=3600))  # 2,000 small transactions


if __name__ == "__main__":
    main()
