"""Every act end to end: typed client → anvil → indexer → read model, and the questions the API will ask."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from ledger import errors
from ledger.certificates import queries
from ledger.certificates.client import RegistryClient, certificate_id
from ledger.certificates.documents import firm_document, firm_subject, planner_document, successor_request
from ledger.certificates.vocabulary import Grade, Kind, Status
from ledger.index.indexer import Indexer
from ledger.store.models import Certificate
from tests.chain_helpers import advance_time, chain_now
from tests.conftest import Deployed
from tests.index_helpers import assert_read_model_matches_chain
from tests.register_helpers import english, firm_issue, planner_issue, register_for
from wallet.typed_acts import Domain, sign_act


def client(deployed: Deployed, role: str) -> RegistryClient:
    return RegistryClient(deployed.w3, deployed.registry, deployed.sender(role))


def test_every_act_reaches_the_read_model(deployed: Deployed, indexer: Indexer) -> None:
    register = register_for(deployed.w3)
    firm_b = next(f for f in register.firms if f["资质等级"] == "乙级")
    firm_a = next(f for f in register.firms if f["资质等级"] == "甲级")
    planner_row = next(p for p in register.planners if p["执业单位统一社会信用代码"] == firm_b["统一社会信用代码"])
    ministry, registrar = client(deployed, "ministry"), client(deployed, "registrar")

    _, b_request = firm_issue(firm_b)
    issued = ministry.issue(b_request)
    ministry.issue(firm_issue(firm_a)[1])
    p_doc, p_request, planner_subject = planner_issue(planner_row)
    registrar.issue(p_request)
    indexer.sync()
    with Session(indexer.engine) as session:
        answer = queries.certificate(session, b_request["number"])
        assert answer is not None and answer.status is Status.ACTIVE and answer.valid
        assert answer.state["name"] == firm_b["单位名称"]
        assert answer.history[0]["tx_hash"] == issued.tx_hash
        before_suspension = answer.history[0]["block_time"]
        bound = queries.firm(session, firm_b["统一社会信用代码"])
        assert bound is not None and [p["number"] for p in bound["planners"]] == [p_request["number"]]

    # amend (变更 address), suspend, reinstate: a minute later, so that "before" is an instant of its own
    advance_time(deployed.w3, 60)
    amended = firm_document({**english(firm_b), "address": "浙江省杭州市西湖区文三路1号"})
    ministry.amend(b_request["number"], b_request["holder"], amended.hash(), amended.public_data())
    ministry.suspend(b_request["number"], 7)
    indexer.sync()
    with Session(indexer.engine) as session:
        suspended = queries.certificate(session, b_request["number"])
        assert suspended is not None and suspended.status is Status.SUSPENDED and not suspended.valid
        assert suspended.state["version"] == 2 and "文三路" in suspended.state["public_data"]
        then = queries.certificate(session, b_request["number"], at=before_suspension)
        assert then is not None and then.status is Status.ACTIVE and then.state["version"] == 1  # the bid deadline case
    ministry.reinstate(b_request["number"], 0)

    # transfer the planner to the grade A firm (变更注册), renew his registration, then revoke it
    moved = planner_document(
        {**english(planner_row, planner=True), "employerCreditCode": firm_a["统一社会信用代码"]},
        p_doc.personal["identityNumber"].salt,
    )
    registrar.transfer(p_request["number"], firm_subject(firm_a["统一社会信用代码"]), moved.hash(), moved.public_data())
    renewal = planner_document(
        {
            **english(planner_row, planner=True),
            "number": p_request["number"] + "-R",
            "employerCreditCode": firm_a["统一社会信用代码"],
        },
        p_doc.personal["identityNumber"].salt,
    )
    renewed = registrar.renew(p_request["number"], successor_request(renewal))
    indexer.sync()
    with Session(indexer.engine) as session:
        person = queries.planner(session, p_request["number"])
        assert person is not None and person["employer"].credit_code == firm_a["统一社会信用代码"]
        assert person["current"]["number"] == p_request["number"] + "-R"
        assert [(p["credit_code"], p["end_reason"]) for p in person["periods"]] == [
            (firm_b["统一社会信用代码"], "TRANSFER"),
            (firm_a["统一社会信用代码"], "SUPERSEDED"),
            (firm_a["统一社会信用代码"], None),
        ]
        assert queries.firm(session, firm_b["统一社会信用代码"])["planners"] == []
        old = queries.certificate(session, p_request["number"])
        assert (
            old is not None
            and old.status is Status.SUPERSEDED
            and old.state["successor"] == "0x" + renewed.certificate_id.hex()
        )
    registrar.revoke(p_request["number"] + "-R", 3)  # 注销: one regulator's act (the others take four eyes)

    # upgrade 乙级→甲级 (legacy: the two-year holding period is waived for imported records)
    upgraded = firm_document({**english(firm_b), "number": b_request["number"] + "-A", "grade": "甲级"})
    ministry.upgrade(b_request["number"], successor_request(upgraded), legacy=True)
    indexer.sync()
    with Session(indexer.engine) as session:
        new = queries.certificate(session, b_request["number"] + "-A")
        assert (
            new is not None
            and new.state["grade"] == Grade.A
            and new.state["predecessor"] == "0x" + issued.certificate_id.hex()
        )
        assert queries.firm(session, firm_a["统一社会信用代码"])["planners"] == []  # revoked: bound no more
        page, _ = queries.search(session, kind=Kind.FIRM, grade=Grade.A, status=Status.ACTIVE)
        assert {c["number"] for c in page} == {b_request["number"] + "-A", firm_issue(firm_a)[1]["number"]}
    assert assert_read_model_matches_chain(indexer.engine, ministry) == 5
    with Session(indexer.engine) as session:  # the planner is known on chain only by his salted commitment
        registrations = session.scalars(select(Certificate).where(Certificate.subject == "0x" + planner_subject.hex()))
        public = [c.public_data for c in registrations]
    assert len(public) == 2 and not any(planner_row["公民身份号码"] in data for data in public)


def test_signed_act_relayed_by_another_account(deployed: Deployed, indexer: Indexer) -> None:
    register = register_for(deployed.w3)
    _, request = firm_issue(register.firms[0])
    client(deployed, "ministry").issue(request)
    ministry_key = deployed.sender("ministry").account
    message = {
        "id": certificate_id(request["number"]),
        "reason": 9,
        "nonce": 0,
        "deadline": chain_now(deployed.w3) + 3600,
    }
    signed = sign_act(ministry_key, Domain(deployed.w3.eth.chain_id, deployed.record.address), "Suspend", message)
    relayer = client(deployed, "relayer")
    result = relayer.suspend_by_signature(request["number"], 9, signed.delegation())
    assert not result.recognised
    again = relayer.suspend_by_signature(request["number"], 9, signed.delegation())
    assert again.recognised and again.tx_hash is None  # the same signed act, resubmitted: recognised, not an error
    indexer.sync()
    with Session(indexer.engine) as session:
        answer = queries.certificate(session, request["number"])
        assert answer is not None and answer.status is Status.SUSPENDED
        assert answer.history[-1]["actor"] == ministry_key.address  # the regulator acted; the relayer only paid


def test_resubmitted_issue_is_recognised_and_a_different_one_refused(deployed: Deployed) -> None:
    register = register_for(deployed.w3)
    document, request = firm_issue(register.firms[0])
    ministry = client(deployed, "ministry")
    first = ministry.issue(request)
    again = ministry.issue(request)
    assert again.recognised and again.certificate_id == first.certificate_id
    assert ministry.nonce_of(ministry.sender.address) == 0  # nothing relayed: direct acts use no signed nonce
    with pytest.raises(errors.AlreadyIssued):
        ministry.issue({**request, "documentHash": b"\1" * 32})
    assert ministry.certificate(request["number"]).document_hash == document.hash()


def test_a_refused_act_is_a_named_error_and_changes_nothing(deployed: Deployed, indexer: Indexer) -> None:
    register = register_for(deployed.w3)
    firm = next(f for f in register.firms if f["资质等级"] == "乙级" and f["统一社会信用代码"][2:4] != "33")
    _, request = firm_issue(firm)
    with pytest.raises(errors.WrongJurisdiction):
        client(deployed, "zhejiang").issue(request)
    with pytest.raises(errors.UnknownCertificate):
        client(deployed, "ministry").certificate("no such number")
    assert indexer.sync().events == 0


def test_confirmations_are_waited_for(deployed: Deployed) -> None:
    register = register_for(deployed.w3)
    ministry = RegistryClient(
        deployed.w3, deployed.registry, deployed.sender("ministry"), confirmations=2, confirmation_timeout=0.5
    )
    with pytest.raises(errors.LedgerError, match="confirmations"):
        ministry.issue(firm_issue(register.firms[0])[1])  # anvil mines only on demand: no second block comes
    deployed.w3.provider.make_request("evm_mine", [])
    ministry.wait_for_confirmations(deployed.w3.eth.block_number - 1)
