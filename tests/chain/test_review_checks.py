"""The reviewer's checks on a real anvil: `ledger review` without `--checks` computes them from the read model and
the dossier store, stores them and sends their hash; the read model attaches them to the review (or says they
are not available), the application's answer shows them, and a rebuild from the chain equals the increments."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from eth_utils import keccak
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from ledger.certificates.documents import firm_subject
from ledger.cli import main as ledger_cli
from ledger.index.indexer import Indexer
from ledger.licensing.checks import compute
from ledger.licensing.dossiers import DossierStore
from ledger.licensing.manifests import store_dossier
from ledger.store.models import Application, LicensingEvent, ReviewChecks
from scripts.samples import firm_request, planner_request
from tests.chain.test_licensing import client, credit_code
from tests.chain_helpers import chain_now
from tests.cli_helpers import run
from tests.conftest import Deployed, Served
from tests.index_helpers import projection_snapshot
from wallet.devkeys import dev_account

PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\n%%EOF\n"
HOLDING_PERIOD = 730 * 86400


def firm_with_planners(deployed: Deployed, number: str, code: str, planners: int) -> list[str]:
    """A grade B firm of Zhejiang held by the `firm` development key, with ``planners`` registered planners;
    their registration numbers."""
    now = chain_now(deployed.w3)
    request = {**firm_request(number, now=now, credit_code=code), "holder": dev_account("firm", 31337).address}
    deployed.sender("zhejiang").transact(deployed.registry.functions.issue(request))
    numbers = [f"注规{number[-4:]}{i:02d}" for i in range(planners)]
    issue = deployed.registry.functions.issueBatch
    deployed.sender("registrar").transact(
        issue([planner_request(n, keccak(text=f"planner {n}"), firm_subject(code), now) for n in numbers])
    )
    return numbers


def manifest(tmp_path: Path, planners: list[str]) -> Path:
    """A dossier of one form counting ``planners``, stored; the manifest's path in the store."""
    form = tmp_path / "申请表.pdf"
    form.write_bytes(PDF)
    store = DossierStore()
    name, _ = store_dossier(store, [form], planners)
    return store.path_of(name)


def by_name(checks: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {check["name"]: check for check in checks["checks"]}


def test_a_review_records_the_ledgers_checks_and_the_answer_shows_them(
    deployed: Deployed, engine: Engine, indexer: Indexer, served: Served, ledger: list[str], tmp_path: Path
) -> None:
    short, other, unqualified = credit_code(31), credit_code(32), credit_code(33)
    own = firm_with_planners(deployed, "浙规乙字33C001", short, 3)
    elsewhere = firm_with_planners(deployed, "浙规乙字33C002", other, 1)
    upgrade = run(ledger_cli, *ledger, "apply-for", "upgrade", "浙规乙字33C001", "--dossier",
                  str(manifest(tmp_path, [*own, *elsewhere])), "--as", "firm").output.split(":")[0]  # fmt: skip
    rival = run(ledger_cli, *ledger, "apply", unqualified, "杭州挂证规划院", "--dossier",
                str(manifest(tmp_path, [own[0]])), "--as", "firm").output.split(":")[0]  # fmt: skip
    run(ledger_cli, *ledger, "accept", upgrade, "--as", "zhejiang")
    reviewed = run(ledger_cli, *ledger, "review", upgrade, "--opinion", "初审: 注册规划师不足", "--as", "zhejiang")
    checks_hash = reviewed.output.split("checks ")[1].split()[0]

    with Session(engine) as session:
        [event] = session.scalars(
            select(LicensingEvent).where(LicensingEvent.about == upgrade, LicensingEvent.name == "ApplicationReviewed")
        )
        [recorded] = session.scalars(select(ReviewChecks).where(ReviewChecks.application_id == upgrade))
    assert json.loads(event.data)["checksHash"] == checks_hash == recorded.checks_hash  # what the chain holds
    assert recorded.body is not None and "0x" + keccak(recorded.body.encode()).hex() == checks_hash
    body = json.loads(recorded.body)
    assert (body["format"], body["application"], body["kind"], body["grade"]) == (
        "planning-ledger/review-checks/v1", upgrade, "UPGRADE", "A"
    )  # fmt: skip
    assert body["rules"]["staffing"]["version"] == "staffing-2024"
    checks = by_name(body)
    assert checks["registered-planners"]["verdict"] == "fail"  # 3 bound, grade A asks for 10
    assert checks["registered-planners"]["figures"] == {"bound": 3, "minimum": 10}
    elsewhere_check = checks["planners-elsewhere"]
    assert elsewhere_check["verdict"] == "warn" and elsewhere_check["figures"]["counted"] == 4
    assert {f["registrationNumber"]: f["signals"] for f in elsewhere_check["figures"]["flagged"]} == {
        own[0]: [{"reason": "counted-by-other-application", "application": rival}],  # 挂证: counted twice
        elsewhere[0]: [{"reason": "bound-to-other-firm", "firm": "0x" + firm_subject(other).hex()}],
    }
    assert checks["grade-held"]["verdict"] == "fail" and checks["grade-held"]["figures"]["requiredDays"] == 730
    assert checks["qualification"]["verdict"] == "pass" and checks["credit"]["verdict"] == "pass"
    assert checks["dossier-files"] == {
        "name": "dossier-files",
        "verdict": "pass",
        "figures": {"manifest": "stored", "files": 1, "missing": [], "damaged": []},
    }

    answer = served.client.get(f"/api/v1/applications/{upgrade}").json
    [review] = answer["reviews"]
    assert (review["stage"], review["checksHash"], answer["checksHash"]) == (
        "PROVINCE_REVIEWED",
        checks_hash,
        checks_hash,
    )
    assert review["checksAvailable"] is True and review["checksMatch"] is True and review["checks"] == body
    assert review["by"] == dev_account("zhejiang", 31337).address.lower()

    zhejiang = client(deployed, "zhejiang")
    rival_id = bytes.fromhex(rival[2:])
    zhejiang.accept(rival_id)
    zhejiang.review(rival_id, keccak(text="a reviewer's own checks, never handed in"), keccak(text="意见"), 0)
    indexer.sync()
    [unavailable] = served.client.get(f"/api/v1/applications/{rival}").json["reviews"]
    assert (unavailable["checksAvailable"], unavailable["checksMatch"], unavailable["checks"]) == (False, None, None)

    stepwise = projection_snapshot(engine)
    indexer.reset()
    indexer.sync()
    assert projection_snapshot(engine) == stepwise


def test_a_first_application_counting_another_firms_planner_is_flagged_and_missing_files_fail(
    deployed: Deployed, engine: Engine, indexer: Indexer, ledger: list[str], tmp_path: Path
) -> None:
    own = firm_with_planners(deployed, "浙规乙字33C003", credit_code(34), 3)
    first = run(ledger_cli, *ledger, "apply", credit_code(35), "杭州新设规划院", "--dossier",
                str(manifest(tmp_path, [own[1], "注规不存在"])), "--as", "firm").output.split(":")[0]  # fmt: skip
    indexer.sync()
    store = DossierStore()
    with Session(engine) as session:
        row = session.get(Application, first)
        assert row is not None
        checks = by_name(json.loads(compute(session, store, row, chain_now(deployed.w3), HOLDING_PERIOD)))
        assert checks["registered-planners"]["verdict"] == "fail"  # one registered planner counted, 3 needed
        assert checks["registered-planners"]["figures"] == {"bound": 0, "minimum": 3, "countedRegistered": 1}
        flagged = {f["registrationNumber"]: f["signals"] for f in checks["planners-elsewhere"]["figures"]["flagged"]}
        assert flagged == {
            own[1]: [{"reason": "bound-to-other-firm", "firm": "0x" + firm_subject(credit_code(34)).hex()}],
            "注规不存在": [{"reason": "no-live-registration"}],
        }
        assert "grade-held" not in checks and checks["qualification"]["verdict"] == "pass"

        store.path_of("0x" + keccak(PDF).hex()).unlink()  # the form is gone from the store
        dossier = by_name(json.loads(compute(session, store, row, chain_now(deployed.w3), HOLDING_PERIOD)))
        assert dossier["dossier-files"]["verdict"] == "fail"
        assert dossier["dossier-files"]["figures"]["missing"] == ["申请表.pdf"]
