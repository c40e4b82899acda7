"""Acts sent through web3.py to a real anvil node and read back: the lifecycle as a regulator drives it."""

from __future__ import annotations

import pytest
from eth_utils import keccak

from ledger import errors
from ledger.certificates.documents import firm_subject
from ledger.certificates.vocabulary import Grade, Status
from ledger.chain.artifacts import CREDIT_REGISTRY, LICENSING_REGISTRY, load_artifact
from scripts.samples import firm_request, planner_request, successor_request
from tests.chain_helpers import advance_time, chain_now
from tests.conftest import Deployed
from wallet.typed_acts import Domain, sign_act

TWO_YEARS = 730 * 24 * 3600


def status(deployed: Deployed, cert_id: bytes) -> Status:
    return Status(deployed.registry.functions.statusOf(cert_id).call())


def test_issue_and_read_back(deployed: Deployed) -> None:
    request = firm_request("浙规乙字330001", now=chain_now(deployed.w3))
    receipt = deployed.sender("zhejiang").transact(deployed.registry.functions.issue(request))
    cert_id = keccak(text="浙规乙字330001")
    cert = deployed.registry.functions.certificate(cert_id).call()
    assert cert[0] == request["subject"]
    assert cert[1] == request["documentHash"]
    assert cert[7] == deployed.record.roles["zhejiang"], "issuer"
    assert status(deployed, cert_id) is Status.ACTIVE
    assert deployed.registry.functions.isValid(cert_id).call()

    (event,) = deployed.registry.events.CertificateIssued().process_receipt(receipt)
    assert event.args.id == cert_id
    assert event.args.request["publicData"].decode() == request["publicData"].decode()
    assert "浙江省城乡规划设计研究院有限公司" in event.args.request["publicData"].decode()


def test_suspend_reinstate_revoke(deployed: Deployed) -> None:
    province = deployed.sender("zhejiang")
    registry = deployed.registry
    province.transact(registry.functions.issue(firm_request("B-1", now=chain_now(deployed.w3))))
    cert_id = keccak(text="B-1")
    province.transact(registry.functions.suspend(cert_id, 7))
    assert status(deployed, cert_id) is Status.SUSPENDED
    province.transact(registry.functions.reinstate(cert_id, 0))
    assert status(deployed, cert_id) is Status.ACTIVE
    province.transact(registry.functions.revoke(cert_id, 3))
    assert status(deployed, cert_id) is Status.REVOKED
    with pytest.raises(errors.WrongStatus) as refused:
        province.transact(registry.functions.reinstate(cert_id, 0))
    assert refused.value.fields == {"id": cert_id, "status": int(Status.REVOKED)}


def test_upgrade_after_two_years(deployed: Deployed) -> None:
    registry, w3 = deployed.registry, deployed.w3
    deployed.sender("zhejiang").transact(registry.functions.issue(firm_request("B-1", now=chain_now(w3))))
    old_id = keccak(text="B-1")
    ministry = deployed.sender("ministry")
    with pytest.raises(errors.GradeHeldTooShort):
        ministry.transact(registry.functions.upgrade(old_id, successor_request("A-1", Grade.A, chain_now(w3)), False))
    advance_time(w3, TWO_YEARS)
    ministry.transact(registry.functions.upgrade(old_id, successor_request("A-1", Grade.A, chain_now(w3)), False))
    new_id = keccak(text="A-1")
    assert status(deployed, old_id) is Status.SUPERSEDED
    assert registry.functions.certificate(new_id).call()[8] == int(Grade.A)
    assert registry.functions.certificate(old_id).call()[14] == new_id, "old points to new"


def test_planner_transfer_and_single_binding(deployed: Deployed) -> None:
    registry, w3 = deployed.registry, deployed.w3
    registrar, zhejiang = deployed.sender("registrar"), deployed.sender("zhejiang")
    planner, nobody = keccak(text="salt|planner"), keccak(text="no firm")
    with pytest.raises(errors.EmployerNotQualified):
        registrar.transact(registry.functions.issue(planner_request("P-1", planner, nobody, chain_now(w3))))
    for number, code in (("B-E1", "91330106MA2B0XXXX1"), ("B-E2", "91330108MA2C0XXXX2")):
        zhejiang.transact(registry.functions.issue(firm_request(number, now=chain_now(w3), credit_code=code)))
    firm, other = firm_subject("91330106MA2B0XXXX1"), firm_subject("91330108MA2C0XXXX2")
    registrar.transact(registry.functions.issue(planner_request("P-1", planner, firm, chain_now(w3))))
    with pytest.raises(errors.PlannerAlreadyRegistered):
        registrar.transact(registry.functions.issue(planner_request("P-2", planner, other, chain_now(w3))))
    cert_id = keccak(text="P-1")
    registrar.transact(registry.functions.transfer(cert_id, other, keccak(text="moved"), b""))
    assert registry.functions.certificate(cert_id).call()[12] == other
    assert registry.functions.registrationOf(planner).call() == cert_id


def test_refusals_arrive_as_named_errors(deployed: Deployed) -> None:
    registry, w3 = deployed.registry, deployed.w3
    stranger = deployed.sender("relayer")
    with pytest.raises(errors.Unauthorized) as refused:
        stranger.transact(registry.functions.issue(firm_request("B-1", now=chain_now(w3))))
    assert refused.value.fields == {"account": stranger.address}
    assert isinstance(refused.value, ValueError) and isinstance(refused.value, errors.LedgerError)

    with pytest.raises(errors.WrongJurisdiction):
        deployed.sender("beijing").transact(registry.functions.issue(firm_request("B-1", now=chain_now(w3))))
    deployed.sender("zhejiang").transact(registry.functions.issue(firm_request("B-1", now=chain_now(w3))))
    with pytest.raises(errors.AlreadyIssued):
        deployed.sender("zhejiang").transact(registry.functions.issue(firm_request("B-1", now=chain_now(w3))))


def test_every_contract_error_has_a_python_exception(artifact) -> None:
    abi = artifact.abi + load_artifact(CREDIT_REGISTRY).abi + load_artifact(LICENSING_REGISTRY).abi
    abi_errors = {entry["name"] for entry in abi if entry["type"] == "error"}
    assert abi_errors <= set(errors.REVERTS)


def test_undecodable_revert_data_is_kept_not_lost(deployed: Deployed) -> None:
    refused = deployed.decoder.decode("0xdeadbeef00")
    assert isinstance(refused, errors.UnknownRevert)
    assert refused.data == "0xdeadbeef00"


def test_a_signed_act_relayed_by_another_account(deployed: Deployed) -> None:
    """The ministry signs offline; the relayer (no role) sends; the chain records the ministry as issuer."""
    registry, w3 = deployed.registry, deployed.w3
    ministry = deployed.sender("ministry").account
    request = firm_request("A-SIGNED", Grade.A, now=chain_now(w3))
    domain = Domain(w3.eth.chain_id, registry.address)
    nonce = registry.functions.nonces(ministry.address).call()
    signed = sign_act(ministry, domain, "Issue", {"request": request, "nonce": nonce, "deadline": chain_now(w3) + 600})
    relayer = deployed.sender("relayer")
    relayer.transact(registry.functions.issueBySignature(request, signed.delegation()))
    assert registry.functions.certificate(keccak(text="A-SIGNED")).call()[7] == ministry.address

    with pytest.raises(errors.InvalidAccountNonce):
        relayer.transact(registry.functions.issueBySignature(request, signed.delegation()))
    other_chain = sign_act(ministry, Domain(1, registry.address), "Issue", {**signed.message, "nonce": nonce + 1})
    with pytest.raises(errors.InvalidSignature):
        relayer.transact(registry.functions.issueBySignature(request, other_chain.delegation()))


def test_status_acts_signed_in_python_are_accepted(deployed: Deployed) -> None:
    registry, w3 = deployed.registry, deployed.w3
    deployed.sender("zhejiang").transact(registry.functions.issue(firm_request("B-1", now=chain_now(w3))))
    cert_id = keccak(text="B-1")
    province = deployed.sender("zhejiang").account
    domain = Domain(w3.eth.chain_id, registry.address)
    relayer = deployed.sender("relayer")
    for nonce, (act, reason, expected) in enumerate(
        [("Suspend", 5, Status.SUSPENDED), ("Reinstate", 0, Status.ACTIVE), ("Revoke", 3, Status.REVOKED)]
    ):
        message = {"id": cert_id, "reason": reason, "nonce": nonce, "deadline": chain_now(w3) + 600}
        signed = sign_act(province, domain, act, message)
        function = getattr(registry.functions, f"{act[0].lower()}{act[1:]}BySignature")
        relayer.transact(function(cert_id, reason, signed.delegation()))
        assert status(deployed, cert_id) is expected


def test_a_signed_act_outlives_neither_the_cap_nor_its_signers_invalidation(deployed: Deployed) -> None:
    """Issue 14, finding 3: a deadline beyond MAX_SIGNATURE_LIFETIME is refused by name, and a signer that spends
    its nonce with invalidateNonce() kills the act it signed with it."""
    registry, w3 = deployed.registry, deployed.w3
    zhejiang = deployed.sender("zhejiang")
    zhejiang.transact(registry.functions.issue(firm_request("B-CAP", now=chain_now(w3))))
    cert_id = keccak(text="B-CAP")
    domain = Domain(w3.eth.chain_id, registry.address)
    relayer = deployed.sender("relayer")
    nonce = registry.functions.nonces(zhejiang.account.address).call()
    forever = {"id": cert_id, "reason": 5, "nonce": nonce, "deadline": 2**256 - 1}
    with pytest.raises(errors.DeadlineTooFar):
        relayer.transact(
            registry.functions.suspendBySignature(
                cert_id, 5, sign_act(zhejiang.account, domain, "Suspend", forever).delegation()
            )
        )

    signed = sign_act(zhejiang.account, domain, "Suspend", {**forever, "deadline": chain_now(w3) + 600})
    zhejiang.transact(registry.functions.invalidateNonce())
    with pytest.raises(errors.InvalidAccountNonce):
        relayer.transact(registry.functions.suspendBySignature(cert_id, 5, signed.delegation()))
    assert status(deployed, cert_id) is Status.ACTIVE
