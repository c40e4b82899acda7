"""Every licensing step signed in Python as a browser wallet would sign it (eth_signTypedData_v4 documents) and
relayed through the API (`POST /api/v1/acts`) by the relayer, which holds no role: the chain takes the signer as
the actor, the act's status shows the application it moved, and the contract's refusals come back as named
problems before anything is sent. Each application kind goes from filing to its decision this way."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from eth_account import Account
from eth_account.signers.local import LocalAccount
from eth_utils import keccak
from web3.types import RPCEndpoint

from ledger.certificates.client import certificate_id
from ledger.certificates.documents import firm_subject
from ledger.certificates.identifiers import credit_code_check_character
from ledger.certificates.vocabulary import Grade, Status
from ledger.cli import main as ledger_cli
from ledger.licensing.client import ApplicationKind
from scripts.samples import firm_request, planner_request, successor_request
from tests.api_helpers import is_problem
from tests.chain_helpers import advance_time, chain_now
from tests.cli_helpers import run
from tests.conftest import Served
from wallet.devkeys import dev_account
from wallet.typed_acts import Domain, sign_act

ZERO = b"\0" * 32
DOSSIER = keccak(text="dossier manifest: 申请表, 营业执照, 技术人员名单")


def credit_code(index: int) -> str:
    body = f"91330106MA2BREL{index:02d}"
    return body + credit_code_check_character(body)


def dev(role: str) -> LocalAccount:
    return dev_account(role, 31337)


def signed(served: Served, signer: LocalAccount, act: str, **fields: Any) -> dict[str, Any]:
    """``act`` signed by ``signer`` with its next nonce at the licensing forwarder, as the signed-act document."""
    w3, forwarder = served.deployed.w3, served.deployed.ledger.licensing_acts
    nonce = forwarder.functions.nonces(signer.address).call()
    message = {**fields, "nonce": nonce, "deadline": chain_now(w3) + 3600}
    return sign_act(signer, Domain.for_act(act, w3.eth.chain_id, forwarder.address), act, message).to_json()


def relay(served: Served, signer: LocalAccount, act: str, **fields: Any) -> dict[str, Any]:
    """Posts the signed act, waits for it to be mined and indexed, and returns its status."""
    accepted = served.client.post("/api/v1/acts", json=signed(served, signer, act, **fields))
    assert accepted.status_code == 202, accepted.json
    assert (accepted.json["act"], accepted.json["signer"]) == (act, signer.address)
    receipt = served.deployed.w3.eth.wait_for_transaction_receipt(accepted.json["txHash"])
    assert receipt["status"] == 1
    assert receipt["from"] == served.deployed.ledger.relay(dev("relayer")).relayer.address  # the relayer paid
    served.indexer.sync()
    status = served.client.get(accepted.json["statusUrl"]).json
    assert status["state"] == "mined" and status["indexed"] is True
    return status


def application_request(kind: ApplicationKind, *, code: str = "", certificate: bytes = ZERO) -> dict[str, Any]:
    public = {"creditCode": code, "name": "杭州签名规划院"} if code else {}
    return {
        "kind": int(kind),
        "subject": firm_subject(code) if code else ZERO,
        "certificate": certificate,
        "province": 33 if code else 0,
        "employer": ZERO,
        "dossier": DOSSIER,
        "publicData": json.dumps(public, ensure_ascii=False).encode(),
    }


def file(served: Served, applicant: LocalAccount, request: dict[str, Any]) -> str:
    status = relay(served, applicant, "File", request=request)
    [application] = status["applications"]
    assert application["stage"] == "FILED" and application["applicant"] == applicant.address.lower()
    return str(application["id"])


def reviewed(served: Served, application: str, authority: LocalAccount, opinion: str) -> None:
    """Accepted and reviewed by ``authority``, no notice published (a change or a cancellation needs none)."""
    relay(served, authority, "Accept", application=application)
    relay(served, authority, "Review", application=application, checksHash=keccak(text="checks"),
          opinionHash=keccak(text=opinion), noticeEndsAt=0)  # fmt: skip


def to_notice(served: Served, application: str, reviewers: list[LocalAccount]) -> int:
    """Accepted by the first reviewer, reviewed by each in turn (a grade A one: province, then ministry), the last
    publishing the notice for the shortest period; returns when the notice ends."""
    relay(served, reviewers[0], "Accept", application=application)
    for province_review in reviewers[:-1]:
        relay(served, province_review, "Review", application=application, checksHash=keccak(text="checks"),
              opinionHash=keccak(text="省级初审意见"), noticeEndsAt=0)  # fmt: skip
    minimum = served.deployed.licensing.functions.MIN_NOTICE_PERIOD().call()
    ends = chain_now(served.deployed.w3) + minimum + 60
    status = relay(served, reviewers[-1], "Review", application=application, checksHash=keccak(text="checks"),
                   opinionHash=keccak(text="审查意见: 符合条件"), noticeEndsAt=ends)  # fmt: skip
    assert status["applications"][0]["stage"] == "IN_NOTICE"
    return ends


def held_certificate(served: Served, number: str, grade: Grade, holder: LocalAccount, code: str) -> bytes:
    """A certificate of the imported register (the legacy path), held by ``holder``."""
    w3 = served.deployed.w3
    request = {**firm_request(number, grade, now=chain_now(w3), credit_code=code), "holder": holder.address}
    served.deployed.sender("ministry").transact(served.deployed.registry.functions.issue(request))
    return certificate_id(number)


def test_a_first_application_signed_step_by_step_in_the_browser_way_becomes_a_certificate(served: Served) -> None:
    w3, firm, zhejiang = served.deployed.w3, Account.create(), dev("zhejiang")
    code = credit_code(1)
    application = file(served, firm, application_request(ApplicationKind.FIRST, code=code))
    ends = to_notice(served, application, [zhejiang])
    objector = Account.create()  # anyone: a key with no role and no ether
    status = relay(served, objector, "Object", application=application, evidenceHash=keccak(text="社保记录"),
                   textHash=keccak(text="挂证"))  # fmt: skip
    [objection] = status["applications"][0]["objections"]
    assert objection["objector"] == objector.address.lower() and objection["answeredAt"] is None

    request = {**firm_request("浙规乙字33S001", now=chain_now(w3), credit_code=code), "holder": firm.address}
    early = served.client.post("/api/v1/acts", json=signed(served, zhejiang, "ApproveFirst", application=application,
                                                           dossier=DOSSIER, request=request))  # fmt: skip
    is_problem(early, 409, "notice-running")
    relay(served, zhejiang, "AnswerObjections", objections=[objection["id"]], answerHash=keccak(text="核实: 无挂证"))
    advance_time(w3, ends - chain_now(w3) + 1)
    request = {**request, "validFrom": chain_now(w3)}
    status = relay(served, zhejiang, "ApproveFirst", application=application, dossier=DOSSIER, request=request)
    [certificate] = status["certificates"]
    assert (certificate["number"], certificate["status"]) == ("浙规乙字33S001", "ACTIVE")
    assert certificate["history"][0]["actor"] == zhejiang.address  # the signing regulator, not the relayer
    assert (certificate["application"], certificate["imported"]) == (application, False)  # traced to it
    [decided] = status["applications"]
    assert decided["stage"] == "APPROVED" and decided["issuedCertificate"]["number"] == "浙规乙字33S001"


@pytest.fixture
def rewound(served: Served) -> Iterator[None]:
    """The chain (and its clock) as it was before the test: the session's other tests share the node and compare
    its time with the wall clock, so two years moved on must be taken back."""
    provider = served.deployed.w3.provider
    snapshot = provider.make_request(RPCEndpoint("evm_snapshot"), [])["result"]
    yield
    assert provider.make_request(RPCEndpoint("evm_revert"), [snapshot])["result"] is True


@pytest.mark.usefixtures("rewound")
def test_an_upgrade_is_reviewed_by_the_province_then_decided_by_the_ministry(served: Served) -> None:
    w3, holder = served.deployed.w3, Account.create()
    held = held_certificate(served, "浙规乙字33S002", Grade.B, holder, credit_code(2))
    advance_time(w3, 731 * 86400)  # grade B held two years
    application = file(served, holder, application_request(ApplicationKind.UPGRADE, certificate=held))
    ends = to_notice(served, application, [dev("zhejiang"), dev("ministry")])
    advance_time(w3, ends - chain_now(w3) + 1)
    successor = {**successor_request("自资规甲33S002", Grade.A, now=chain_now(w3)), "holder": holder.address}
    status = relay(served, dev("ministry"), "ApproveSuccessor", application=application, dossier=DOSSIER,
                   successor=successor)  # fmt: skip
    [new] = status["certificates"]
    assert (new["number"], new["grade"], new["status"]) == ("自资规甲33S002", "A", "ACTIVE")
    assert new["history"][0]["actor"] == dev("ministry").address
    assert Status(served.deployed.registry.functions.statusOf(held).call()) is Status.SUPERSEDED
    assert (new["application"], new["imported"]) == (application, False)
    before = served.client.get("/api/v1/certificates/浙规乙字33S002").json
    assert (before["application"], before["imported"]) == (None, True)  # the legacy import, marked as such


def test_a_renewal_can_be_withdrawn_and_a_paper_filing_completed_refused_or_not_accepted(served: Served) -> None:
    w3, holder, zhejiang = served.deployed.w3, Account.create(), dev("zhejiang")
    held = held_certificate(served, "浙规乙字33S003", Grade.B, holder, credit_code(3))
    renewal = file(served, holder, application_request(ApplicationKind.RENEWAL, certificate=held))
    relay(served, zhejiang, "Accept", application=renewal)
    relay(served, zhejiang, "ExpertReview", application=renewal, begun=True)
    relay(served, zhejiang, "ExpertReview", application=renewal, begun=False)
    relay(served, zhejiang, "ExtendDecision", application=renewal, reasonHash=keccak(text="需现场核查"))
    status = relay(served, holder, "Withdraw", application=renewal)
    assert status["applications"][0]["stage"] == "WITHDRAWN"

    paper = relay(served, zhejiang, "FileOnPaper", request=application_request(ApplicationKind.FIRST,
                                                                               code=credit_code(4)))  # fmt: skip
    [on_paper] = paper["applications"]
    assert on_paper["paper"] is True
    relay(served, zhejiang, "RequestCompletion", application=on_paper["id"], listHash=keccak(text="缺: 社保证明"))
    status = relay(served, zhejiang, "Supplement", application=on_paper["id"], dossier=keccak(text="补正后的材料"))
    assert status["applications"][0]["stage"] == "FILED"
    status = relay(
        served, zhejiang, "RefuseAcceptance", application=on_paper["id"], reasonHash=keccak(text="不属于本机关")
    )
    assert status["applications"][0]["stage"] == "NOT_ACCEPTED"

    refused = file(served, Account.create(), application_request(ApplicationKind.FIRST, code=credit_code(5)))
    reviewed(served, refused, zhejiang, "技术人员不足")
    ends = chain_now(w3) + served.deployed.licensing.functions.MIN_NOTICE_PERIOD().call() + 60
    relay(served, zhejiang, "PublishNotice", application=refused, endsAt=ends)
    status = relay(served, zhejiang, "Refuse", application=refused, reasonsHash=keccak(text="注册规划师少于3人"))
    assert status["applications"][0]["stage"] == "REFUSED"


def test_a_revocation_signed_by_two_regulators_of_the_province(served: Served) -> None:
    w3 = served.deployed.w3
    held = held_certificate(served, "浙规乙字33S006", Grade.B, Account.create(), credit_code(6))
    relay(served, dev("zhejiang"), "ProposeRevocation", certificate=held, reason=2, evidenceHash=keccak(text="欺骗"))
    again = served.client.post("/api/v1/acts", json=signed(served, dev("zhejiang"), "ProposeRevocation",
                                                           certificate=held, reason=2,
                                                           evidenceHash=keccak(text="欺骗")))  # fmt: skip
    is_problem(again, 409, "already-proposed")
    proposal = served.deployed.licensing.events.RevocationProposed().get_logs(from_block=0)[-1]["args"]["proposal"]
    before = w3.eth.block_number
    alone = served.client.post("/api/v1/acts", json=signed(served, dev("zhejiang"), "ConfirmRevocation",
                                                           proposal=proposal))  # fmt: skip
    is_problem(alone, 409, "same-regulator")
    assert w3.eth.block_number == before  # refused before anything was sent
    status = relay(served, dev("zhejiang-2"), "ConfirmRevocation", proposal=proposal)
    assert [c["status"] for c in status["certificates"]] == ["REVOKED"]

    other = held_certificate(served, "浙规乙字33S007", Grade.B, Account.create(), credit_code(7))
    relay(served, dev("zhejiang"), "ProposeRevocation", certificate=other, reason=2, evidenceHash=keccak(text="x"))
    withdrawn = served.deployed.licensing.events.RevocationProposed().get_logs(from_block=0)[-1]["args"]["proposal"]
    relay(served, dev("zhejiang"), "WithdrawRevocation", proposal=withdrawn)
    assert Status(served.deployed.registry.functions.statusOf(other).call()) is Status.ACTIVE


def test_a_step_by_the_wrong_key_is_refused_with_the_contracts_reason(served: Served) -> None:
    application = file(served, Account.create(), application_request(ApplicationKind.FIRST, code=credit_code(8)))
    outsider = served.client.post("/api/v1/acts", json=signed(served, Account.create(), "Accept",
                                                              application=application))  # fmt: skip
    is_problem(outsider, 403, "missing-role")
    other_applicant = served.client.post("/api/v1/acts", json=signed(served, dev("zhejiang"), "Withdraw",
                                                                     application=application))  # fmt: skip
    is_problem(other_applicant, 409, "not-applicant")
    document = signed(served, dev("zhejiang"), "Accept", application=application)
    document["typedData"]["domain"]["verifyingContract"] = served.deployed.record.licensing_address
    is_problem(served.client.post("/api/v1/acts", json=document), 401, "wrong-contract")


def test_an_imported_firm_gets_its_key_bound_from_the_command_line_and_then_applies(
    served: Served, ledger: list[str]
) -> None:
    number, lost, firm = "浙规乙字33S009", Account.create(), Account.create()
    held = held_certificate(served, number, Grade.B, lost, credit_code(9))
    refused = served.client.post("/api/v1/acts", json=signed(served, firm, "File", request=application_request(
        ApplicationKind.RENEWAL, certificate=held)))  # fmt: skip
    is_problem(refused, 409, "not-applicant")
    run(ledger_cli, *ledger, "bind-holder", number, firm.address, "--reason", "书面申请及身份核验: 原密钥遗失",
        "--as", "zhejiang")  # fmt: skip
    served.indexer.sync()
    answer = served.client.get(f"/api/v1/certificates/{number}").json
    assert answer["holder"]["address"] == firm.address, answer
    bound = answer["history"][-1]
    assert (bound["act"], bound["label"], bound["actor"]) == ("BIND", "绑定持证密钥", dev("zhejiang").address)
    file(served, firm, application_request(ApplicationKind.RENEWAL, certificate=held))


def test_a_firms_change_and_cancellation_are_decided_once_reviewed(served: Served) -> None:
    holder, zhejiang = Account.create(), dev("zhejiang")
    held = held_certificate(served, "浙规乙字33S010", Grade.B, holder, credit_code(10))
    change = file(served, holder, application_request(ApplicationKind.CHANGE, certificate=held))
    reviewed(served, change, zhejiang, "同意变更名称")
    renamed = json.dumps({"name": "杭州更名规划院", "creditCode": credit_code(10)}, ensure_ascii=False).encode()
    status = relay(served, zhejiang, "ApproveChange", application=change, dossier=DOSSIER,
                   documentHash=keccak(text="变更后的证书"), publicData=renamed)  # fmt: skip
    [decided] = status["applications"]
    assert (decided["stage"], decided["kindLabel"], decided["issuedCertificate"]) == ("APPROVED", "资质变更", None)
    [amended] = status["certificates"]
    assert (amended["holder"]["name"], amended["version"], amended["status"]) == ("杭州更名规划院", 2, "ACTIVE")
    assert amended["holder"]["address"] == holder.address  # a change of document keeps the firm's key

    cancellation = file(served, holder, application_request(ApplicationKind.CANCELLATION, certificate=held))
    reviewed(served, cancellation, zhejiang, "同意注销")
    status = relay(served, zhejiang, "ApproveCancellation", application=cancellation, dossier=DOSSIER)
    assert [c["status"] for c in status["certificates"]] == ["REVOKED"]


@pytest.mark.usefixtures("rewound")
def test_a_planner_registers_changes_employer_with_both_consents_and_cancels(served: Served, ledger: list[str]) -> None:
    w3, registrar = served.deployed.w3, dev("registrar")
    planner, new_employer = Account.create(), Account.create()
    employer = served.firms[0][1]["subject"]  # held by served.holder
    held_certificate(served, "浙规乙字33S011", Grade.B, new_employer, credit_code(11))
    other_firm = firm_subject(credit_code(11))
    subject = keccak(text="salt|planner identity")
    registration = {**application_request(ApplicationKind.PLANNER_REGISTRATION), "subject": subject,
                    "employer": employer}  # fmt: skip
    application = file(served, planner, registration)
    outsider = served.client.post("/api/v1/acts", json=signed(served, dev("zhejiang"), "Accept",
                                                              application=application))  # fmt: skip
    is_problem(outsider, 403, "missing-role")  # a province has no say over planners
    relay(served, registrar, "Accept", application=application)
    run(
        ledger_cli,
        *ledger,
        "review",
        application,
        "--opinion",
        "符合注册条件",
        "--notice-days",
        "10",
        "--as",
        "registrar",
    )  # fmt: skip (the ledger computes the reviewer's checks and records their hash)
    served.indexer.sync()
    [review] = served.client.get(f"/api/v1/applications/{application}").json["reviews"]
    verdicts = {check["name"]: check["verdict"] for check in review["checks"]["checks"]}
    assert verdicts["employer-qualified"] == "pass" and verdicts["qualification"] == "pass", verdicts
    advance_time(w3, 11 * 86400 + 60)  # the notice ends at 24:00 Beijing of its tenth day
    request = {**planner_request("注册规划师33S001", subject, employer, now=chain_now(w3)), "holder": planner.address}
    status = relay(served, registrar, "ApproveFirst", application=application, dossier=DOSSIER, request=request)
    [registered] = status["certificates"]
    assert (registered["kind"], registered["status"]) == ("PLANNER", "ACTIVE")
    held = registered["id"]

    change = {**application_request(ApplicationKind.PLANNER_CHANGE, certificate=held), "employer": other_firm}
    moving = file(served, planner, change)
    reviewed(served, moving, registrar, "同意变更执业单位")
    approve = {"application": moving, "dossier": DOSSIER, "documentHash": keccak(text="变更注册"), "publicData": b""}
    missing = served.client.post("/api/v1/acts", json=signed(served, registrar, "ApproveChange", **approve))
    is_problem(missing, 409, "consent-missing")
    stranger = served.client.post("/api/v1/acts", json=signed(served, Account.create(), "Consent", application=moving))
    is_problem(stranger, 409, "not-employer")
    relay(served, served.holder, "Consent", application=moving)  # the firm it leaves
    status = relay(served, new_employer, "Consent", application=moving)  # and the firm it joins
    consents = status["applications"][0]["consents"]
    assert consents["oldEmployer"] is not None and consents["newEmployer"] is not None
    status = relay(served, registrar, "ApproveChange", **approve)
    assert status["applications"][0]["stage"] == "APPROVED"
    moved = served.client.get("/api/v1/certificates/注册规划师33S001").json
    assert moved["employer"]["creditCode"] == credit_code(11), moved["employer"]  # registered with the new firm

    cancel = file(served, planner, application_request(ApplicationKind.PLANNER_CANCELLATION, certificate=held))
    reviewed(served, cancel, registrar, "同意注销注册")
    status = relay(served, registrar, "ApproveCancellation", application=cancel, dossier=DOSSIER)
    assert [c["status"] for c in status["certificates"]] == ["REVOKED"]


@pytest.mark.usefixtures("rewound")
def test_a_firms_and_a_planners_renewal_are_decided_after_their_notice(served: Served) -> None:
    w3, holder, planner = served.deployed.w3, Account.create(), Account.create()
    held = held_certificate(served, "浙规乙字33S012", Grade.B, holder, credit_code(12))
    renewal = file(served, holder, application_request(ApplicationKind.RENEWAL, certificate=held))
    firm_ends = to_notice(served, renewal, [dev("zhejiang")])
    subject, employer = keccak(text="salt|另一位规划师"), firm_subject(credit_code(12))
    registration = {
        **planner_request("注册规划师33S002", subject, employer, now=chain_now(w3)),
        "holder": planner.address,
    }
    served.deployed.sender("registrar").transact(served.deployed.registry.functions.issue(registration))
    registered = keccak(text="注册规划师33S002")
    planner_renewal = file(
        served, planner, application_request(ApplicationKind.PLANNER_RENEWAL, certificate=registered)
    )
    planner_ends = to_notice(served, planner_renewal, [dev("registrar")])
    advance_time(w3, max(firm_ends, planner_ends) - chain_now(w3) + 1)

    firm_next = {**successor_request("浙规乙字33S012-R", Grade.B, now=chain_now(w3)), "holder": holder.address}
    status = relay(served, dev("zhejiang"), "ApproveSuccessor", application=renewal, dossier=DOSSIER,
                   successor=firm_next)  # fmt: skip
    assert [(c["number"], c["status"]) for c in status["certificates"]] == [("浙规乙字33S012-R", "ACTIVE")]
    planner_next = {**successor_request("注册规划师33S002-R", Grade.NONE, now=chain_now(w3)), "holder": planner.address}
    status = relay(served, dev("registrar"), "ApproveSuccessor", application=planner_renewal, dossier=DOSSIER,
                   successor=planner_next)  # fmt: skip
    [renewed] = status["certificates"]
    assert (renewed["kind"], renewed["number"], renewed["status"]) == ("PLANNER", "注册规划师33S002-R", "ACTIVE")
    assert status["applications"][0]["issuedCertificate"]["number"] == "注册规划师33S002-R"
