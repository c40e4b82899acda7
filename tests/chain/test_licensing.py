"""The licensing procedure on a real anvil: a first application from filing to the certificate its approval
issues, an objection and its answer, four-eyes revocation, and the read model folded from the events (rebuilt
from the chain, it is the same)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from eth_utils import keccak
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from ledger import errors
from ledger.certificates import queries as certificate_queries
from ledger.certificates.documents import firm_subject
from ledger.certificates.identifiers import credit_code_check_character
from ledger.certificates.vocabulary import Status
from ledger.cli import main as ledger_cli
from ledger.index.indexer import Indexer
from ledger.licensing.client import FLAG_PAPER, ApplicationKind, LicensingClient, application_id, proposal_id
from ledger.store.models import Application, Certificate, Objection, RevocationProposal
from scripts.samples import firm_request
from tests.api_helpers import is_problem
from tests.chain_helpers import advance_time, chain_now
from tests.cli_helpers import run
from tests.conftest import Deployed, Served
from tests.index_helpers import projection_snapshot
from wallet.devkeys import dev_account
from wallet.instants import timestamp


def credit_code(index: int) -> str:
    """A valid credit code of a Hangzhou firm that has never been qualified."""
    body = f"91330106MA2BLKC{index:02d}"
    return body + credit_code_check_character(body)


CODE = credit_code(1)
DOSSIER = keccak(text="dossier manifest: 申请表, 法人证明, 技术人员社保证明")


def client(deployed: Deployed, role: str) -> LicensingClient:
    return deployed.ledger.licensing_client(dev_account(role, deployed.w3.eth.chain_id))


def application_row(engine: Engine, application: bytes) -> Application:
    with Session(engine) as session:
        row = session.get(Application, "0x" + application.hex())
        assert row is not None
        return row


def test_a_first_application_is_noticed_objected_to_answered_and_approved_into_a_certificate(
    deployed: Deployed, engine: Engine, indexer: Indexer
) -> None:
    w3, firm, zhejiang = deployed.w3, client(deployed, "firm"), client(deployed, "zhejiang")
    filed = firm.file_first(CODE, "杭州申请规划院", 33, DOSSIER)
    assert filed.id == application_id(firm_subject(CODE), ApplicationKind.FIRST, DOSSIER, firm.sender.address)
    on_chain = firm.application(filed.id)
    assert (on_chain.applicant, on_chain.province, on_chain.paper) == (firm.sender.address, 33, False)
    assert deployed.licensing.functions.FLAG_PAPER().call() == FLAG_PAPER
    zhejiang.accept(filed.id)
    notice_ends = chain_now(w3) + deployed.licensing.functions.MIN_NOTICE_PERIOD().call() + 60
    zhejiang.review(filed.id, keccak(text="checks"), keccak(text="opinion"), notice_ends)
    objection = client(deployed, "relayer").object(filed.id, keccak(text="evidence"), keccak(text="挂证"))
    indexer.sync()
    row = application_row(engine, filed.id)
    assert (row.stage, row.kind, row.province, row.open_objections) == ("IN_NOTICE", "FIRST", 33, 1)
    assert row.applicant == dev_account("firm", 31337).address.lower() and row.notice_ends_at == notice_ends

    request = {**firm_request("浙规乙字339001", now=chain_now(w3), credit_code=CODE), "holder": firm.sender.address}
    with pytest.raises(errors.NoticeRunning):
        zhejiang.approve_first(filed.id, DOSSIER, request)
    advance_time(w3, notice_ends - chain_now(w3) + 1)
    with pytest.raises(errors.ObjectionsUnanswered):
        zhejiang.approve_first(filed.id, DOSSIER, request)
    zhejiang.answer_objection(objection.id, keccak(text="核实: 社保记录齐全"))
    issued = zhejiang.approve_first(filed.id, DOSSIER, request)
    assert issued.id == keccak(text="浙规乙字339001")
    assert Status(deployed.registry.functions.statusOf(issued.id).call()) is Status.ACTIVE

    indexer.sync()
    row = application_row(engine, filed.id)
    assert (row.stage, row.issued_certificate, row.open_objections) == ("APPROVED", "0x" + issued.id.hex(), 0)
    assert row.decided_by == dev_account("zhejiang", 31337).address.lower()
    with Session(engine) as session:
        answered = session.scalars(select(Objection).where(Objection.application_id == row.id)).one()
        assert (
            answered.answered_at is not None and answered.answer_hash == "0x" + keccak(text="核实: 社保记录齐全").hex()
        )
        certificate = session.get(Certificate, "0x" + issued.id.hex())
        assert certificate is not None and certificate.issuer == dev_account("zhejiang", 31337).address


def test_a_revocation_needs_a_second_regulator_and_the_index_shows_both(
    deployed: Deployed, engine: Engine, indexer: Indexer
) -> None:
    w3 = deployed.w3
    deployed.sender("zhejiang").transact(deployed.registry.functions.issue(firm_request("B-4EYES", now=chain_now(w3))))
    certificate = keccak(text="B-4EYES")
    proposer = client(deployed, "zhejiang")
    proposed = proposer.propose_revocation(certificate, 3, keccak(text="evidence"))
    assert proposed.id == proposal_id(certificate, 3, keccak(text="evidence"), proposer.sender.address)
    with pytest.raises(errors.SameRegulator):
        client(deployed, "zhejiang").confirm_revocation(proposed.id)
    client(deployed, "zhejiang-2").confirm_revocation(proposed.id)
    indexer.sync()
    with Session(engine) as session:
        proposal = session.get(RevocationProposal, "0x" + proposed.id.hex())
        assert proposal is not None and proposal.state == "CONFIRMED"
        assert proposal.closed_by == dev_account("zhejiang-2", 31337).address.lower()
        revoked = session.get(Certificate, "0x" + certificate.hex())
        assert revoked is not None and revoked.status == Status.REVOKED


def test_the_applications_rebuilt_from_the_chain_equal_those_indexed_step_by_step(
    deployed: Deployed, engine: Engine, indexer: Indexer
) -> None:
    firm, zhejiang = client(deployed, "firm"), client(deployed, "zhejiang")
    completed = firm.file_first(credit_code(2), "杭州申请规划院2", 33, DOSSIER)
    indexer.sync()
    zhejiang.request_completion(completed.id, keccak(text="缺: 社保证明"))
    indexer.sync()
    firm.supplement(completed.id, keccak(text="dossier v2"))
    withdrawn = firm.file_first(credit_code(3), "杭州申请规划院3", 33, DOSSIER)
    firm.withdraw(withdrawn.id)
    indexer.sync()
    assert application_row(engine, completed.id).stage == "FILED"
    assert application_row(engine, completed.id).dossier == "0x" + keccak(text="dossier v2").hex()
    assert application_row(engine, withdrawn.id).stage == "WITHDRAWN"
    stepwise = projection_snapshot(engine)
    indexer.reset()
    indexer.sync()
    assert projection_snapshot(engine) == stepwise


def test_the_api_shows_the_queue_an_application_and_the_notices(served: Served) -> None:
    deployed, w3 = served.deployed, served.deployed.w3
    firm, zhejiang = client(deployed, "firm"), client(deployed, "zhejiang")
    noticed = firm.file_first(credit_code(4), "杭州申请规划院4", 33, DOSSIER)
    zhejiang.accept(noticed.id)
    ends = chain_now(w3) + deployed.licensing.functions.MIN_NOTICE_PERIOD().call() + 3600
    zhejiang.review(noticed.id, keccak(text="checks"), keccak(text="opinion"), ends)
    waiting = firm.file_first(credit_code(5), "杭州申请规划院5", 33, DOSSIER)
    served.indexer.sync()

    page = served.client.get("/api/v1/applications?province=33&stage=IN_NOTICE").json
    summary = next(item for item in page["items"] if item["id"] == "0x" + noticed.id.hex())
    assert (summary["kindLabel"], summary["stageLabel"], summary["grade"]) == ("首次申请", "公示中", "B")
    assert (summary["firmName"], summary["creditCode"]) == ("杭州申请规划院4", credit_code(4))
    assert summary["due"]["step"] == "decision" and summary["due"]["workingDays"] == 20
    assert all(item["stage"] == "IN_NOTICE" for item in page["items"])
    filed = served.client.get("/api/v1/applications?stage=FILED").json["items"]
    assert any(item["id"] == "0x" + waiting.id.hex() and item["due"]["step"] == "acceptance" for item in filed)

    detail = served.client.get(f"/api/v1/applications/0x{noticed.id.hex()}").json
    assert [step["act"] for step in detail["timeline"]] == [
        "ApplicationFiled", "ApplicationAccepted", "ApplicationReviewed", "NoticePublished"
    ]  # fmt: skip
    assert detail["timeline"][-1]["data"]["endsAt"] == timestamp(ends)  # ISO 8601, not the chain's unix seconds
    assert detail["dossier"] == "0x" + DOSSIER.hex() and detail["rules"]["version"] == "licensing-2012"
    notices = served.client.get("/api/v1/notices").json["notices"]
    assert "0x" + noticed.id.hex() in [n["id"] for n in notices]

    board = served.client.get("/dashboard").get_data(as_text=True)
    assert 'id="licensing"' in board and "公示中 1" in board and "已申请，待受理 1" in board

    missing = served.client.get("/api/v1/applications/0x" + "ab" * 32)
    assert is_problem(missing, 404, "application-not-found")
    assert is_problem(served.client.get("/api/v1/applications?cursor=nonsense"), 400, "invalid-cursor")
    assert is_problem(served.client.get("/api/v1/applications?stage=DONE"), 400, "invalid-request")
    assert is_problem(served.client.get("/api/v1/applications/nope"), 400, "invalid-request")


def test_the_ledger_command_takes_an_application_from_filing_to_its_certificate(
    deployed: Deployed, engine: Engine, ledger: list[str], tmp_path: Path
) -> None:
    """`ledger apply`, `accept`, `review --notice-days`, `approve`, `applications`: the CLI's whole path."""
    options = ledger
    dossier, checks = tmp_path / "dossier.json", tmp_path / "checks.json"
    dossier.write_text('{"files": []}')
    checks.write_text('{"planners": 12}')
    code = credit_code(6)
    filed = run(ledger_cli, *options, "apply", code, "杭州命令行规划院", "--dossier", str(dossier), "--as", "firm")
    application = filed.output.split(":")[0]
    run(ledger_cli, *options, "accept", application, "--as", "zhejiang")
    review = ["review", application, "--checks", str(checks), "--opinion", "同意", "--notice-days", "10"]
    run(ledger_cli, *options, *review, "--as", "zhejiang")
    queue = run(ledger_cli, *options, "applications", "--stage", "IN_NOTICE").output
    assert application in queue and "decision due" in queue
    advance_time(deployed.w3, 11 * 86400 + 60)  # the notice ends at 24:00 Beijing of its tenth day
    document = tmp_path / "certificate.json"
    document.write_text(json.dumps({**FIRM_FIELDS, "creditCode": code}, ensure_ascii=False))
    run(ledger_cli, *options, "approve", application, "--dossier", str(dossier), "--document", str(document),
        "--as", "zhejiang")  # fmt: skip
    assert application_row(engine, bytes.fromhex(application[2:])).stage == "APPROVED"
    with Session(engine) as session:
        issued = certificate_queries.certificate(session, FIRM_FIELDS["number"])
        assert issued is not None and issued.application == application  # what the certificate's answer names
    certificate = keccak(text=FIRM_FIELDS["number"])
    assert deployed.registry.functions.certificate(certificate).call()[2] == dev_account("firm", 31337).address
    refused = CliRunner().invoke(ledger_cli, [*options, "accept", application, "--as", "zhejiang"])
    assert refused.exit_code == 1 and refused.output.startswith("Error: WrongStage:")


FIRM_FIELDS = {
    "number": "浙规乙字339006",
    "name": "杭州命令行规划院",
    "address": "浙江省杭州市西湖区文三路1号",
    "grade": "乙级",
    "scope": "城乡规划编制（国土空间规划编制）",
    "issuingAuthority": "浙江省自然资源厅",
    "decisionNumber": "浙自然资规许〔2026〕6号",
    "validFrom": "2026-12-01",
    "validUntil": "2031-11-30",
    "legalRepresentative": "陈命令",
    "technicalLead": "周行",
}


def test_a_reorg_takes_back_the_steps_of_the_orphaned_branch(
    deployed: Deployed, engine: Engine, indexer: Indexer
) -> None:
    """Steps on a branch the chain abandons leave nothing behind: the application folds from what is left."""
    w3, firm = deployed.w3, client(deployed, "firm")
    filed = firm.file_first(credit_code(7), "杭州分叉规划院", 33, DOSSIER)
    client(deployed, "zhejiang").accept(filed.id)
    indexer.sync()
    fork_point = w3.provider.make_request("evm_snapshot", [])["result"]
    ends = chain_now(w3) + deployed.licensing.functions.MIN_NOTICE_PERIOD().call() + 60
    client(deployed, "zhejiang").review(filed.id, keccak(text="checks"), keccak(text="opinion"), ends)
    client(deployed, "relayer").object(filed.id, keccak(text="evidence"), keccak(text="异议"))
    orphan = client(deployed, "firm").file_first(credit_code(8), "杭州孤块规划院", 33, DOSSIER)
    indexer.sync()
    assert (application_row(engine, filed.id).stage, application_row(engine, filed.id).open_objections) == (
        "IN_NOTICE",
        1,
    )

    w3.provider.make_request("evm_revert", [fork_point])
    client(deployed, "zhejiang").expert_review(filed.id, begun=True)  # the new branch: an expert review instead
    report = indexer.sync()
    assert report.rolled_back_to is not None
    row = application_row(engine, filed.id)
    assert (row.stage, row.open_objections, row.notice_ends_at) == ("ACCEPTED", 0, None)
    assert row.expert_review_began_at is not None
    with Session(engine) as session:
        assert session.get(Application, "0x" + orphan.id.hex()) is None
        assert session.scalars(select(Objection).where(Objection.application_id == row.id)).all() == []
    stepwise = projection_snapshot(engine)
    indexer.reset()
    indexer.sync()
    assert projection_snapshot(engine) == stepwise


def test_many_objections_are_answered_with_one_act_from_the_command_line(
    deployed: Deployed, engine: Engine, indexer: Indexer, ledger: list[str]
) -> None:
    w3, zhejiang = deployed.w3, client(deployed, "zhejiang")
    filed = client(deployed, "firm").file_first(credit_code(9), "杭州异议规划院", 33, DOSSIER)
    zhejiang.accept(filed.id)
    ends = chain_now(w3) + deployed.licensing.functions.MIN_NOTICE_PERIOD().call() + 60
    zhejiang.review(filed.id, keccak(text="checks"), keccak(text="opinion"), ends)
    raised = [
        client(deployed, role).object(filed.id, b"\0" * 32, keccak(text="同一异议")) for role in ("relayer", "beijing")
    ]
    run(ledger_cli, *ledger, "answer", *("0x" + o.id.hex() for o in raised), "--answer", "已核实", "--as", "zhejiang")
    indexer.sync()
    assert application_row(engine, filed.id).open_objections == 0
    with Session(engine) as session:
        answers = session.scalars(
            select(Objection.answer_hash).where(Objection.application_id == "0x" + filed.id.hex())
        )
        assert set(answers) == {"0x" + keccak(text="已核实").hex()}


def test_a_planner_registers_with_its_employer_from_the_command_line(
    deployed: Deployed, engine: Engine, ledger: list[str], tmp_path: Path
) -> None:
    """`ledger apply-registration` (the planner's key; its identity number stays in the vault), accepted, reviewed
    with the ledger's checks and noticed by the registrar, then `approve` with the registration's document."""
    w3, options, employer = deployed.w3, ledger, credit_code(20)
    firm = firm_request("浙规乙字339020", now=chain_now(w3), credit_code=employer)
    deployed.sender("zhejiang").transact(deployed.registry.functions.issue(firm))
    dossier = tmp_path / "dossier.json"
    dossier.write_text('{"files": []}')
    identity = "11010519491231002X"
    filed = run(ledger_cli, *options, "apply-registration", identity, employer, "--dossier", str(dossier),
                "--as", "planner")  # fmt: skip
    application = filed.output.split(":")[0]
    refused = CliRunner().invoke(ledger_cli, [*options, "accept", application, "--as", "zhejiang"])
    assert refused.exit_code == 1 and "Unauthorized" in refused.output  # a planner's is the registrar's
    run(ledger_cli, *options, "accept", application, "--as", "registrar")
    run(ledger_cli, *options, "review", application, "--opinion", "符合注册条件", "--notice-days", "10",
        "--as", "registrar")  # fmt: skip
    advance_time(w3, 11 * 86400 + 60)
    document = tmp_path / "registration.json"
    fields = {"number": "注册规划师339020", "name": "李命令", "employerCreditCode": employer, "specialty": "城乡规划",
              "validFrom": "2026-12-01", "validUntil": "2029-11-30", "identityNumber": identity}  # fmt: skip
    document.write_text(json.dumps(fields, ensure_ascii=False))
    run(ledger_cli, *options, "approve", application, "--dossier", str(dossier), "--document", str(document),
        "--as", "registrar")  # fmt: skip
    row = application_row(engine, bytes.fromhex(application[2:]))
    assert (row.kind, row.stage, row.employer) == (
        "PLANNER_REGISTRATION",
        "APPROVED",
        "0x" + firm_subject(employer).hex(),
    )
    registration = deployed.registry.functions.certificate(keccak(text="注册规划师339020")).call()
    assert registration[2] == dev_account("planner", 31337).address  # held by the planner's own key
    assert registration[12] == firm_subject(employer)  # with its employer
