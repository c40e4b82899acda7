"""The EIP-712 acts as Python defines them hash exactly as the contract hashes them, act by act, and a signed
act survives its trip through a JSON file; a changed field, chain, contract or deadline is refused by name."""

from __future__ import annotations

import json

import pytest
from eth_account import Account
from eth_account.messages import encode_typed_data
from eth_utils import keccak
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from web3.contract import Contract

from ledger import errors as ledger_errors
from ledger.certificates.identifiers import IdentifierError, validate_number
from ledger.certificates.vocabulary import Grade
from ledger.credit.acts import credit_request
from scripts.samples import firm_request, planner_request, successor_request
from tests.chain_helpers import chain_now, deploy_test_contract
from tests.conftest import Deployed
from wallet import errors
from wallet.presentation import PRESENTATION_TYPES
from wallet.typed_acts import (
    ACT_TYPES,
    ACTS,
    CREDIT_DOMAIN_NAME,
    LICENSING_DOMAIN_NAME,
    Domain,
    Registry,
    SignedAct,
    sign_act,
    typed_data_digest,
    verify_act,
)

ID = keccak(text="浙规乙字330001")
EMPLOYER = keccak(text="91330000755918469E")
NOW = 1_790_000_000


def sample_messages() -> dict[str, list[dict]]:
    """Two messages per act, the second with unicode, empty and long byte strings and extreme integers."""
    firm, planner = (
        firm_request("浙规乙字330001", now=NOW),
        planner_request("规划师-1", keccak(b"salted identity"), EMPLOYER, now=NOW),
    )
    successor = successor_request("浙规甲字330001", Grade.A, now=NOW)
    empty_successor = {**successor, "publicData": b"", "number": "x"}
    big = 2**256 - 1
    status = [
        {"id": ID, "reason": 1, "nonce": 0, "deadline": NOW},
        {"id": b"\xff" * 32, "reason": 65535, "nonce": big, "deadline": big},
    ]
    return {
        "Issue": [{"request": firm, "nonce": 0, "deadline": NOW}, {"request": planner, "nonce": 7, "deadline": big}],
        "IssueBatch": [
            {"requests": [firm, planner], "nonce": 1, "deadline": NOW},
            {"requests": [], "nonce": 0, "deadline": NOW},
        ],
        "Upgrade": [
            {"id": ID, "successor": successor, "legacy": False, "nonce": 2, "deadline": NOW},
            {"id": ID, "successor": empty_successor, "legacy": True, "nonce": big, "deadline": 0},
        ],
        "Renew": [
            {"id": ID, "successor": successor, "nonce": 3, "deadline": NOW},
            {"id": ID, "successor": empty_successor, "nonce": 0, "deadline": 1},
        ],
        "Amend": [
            {
                "id": ID,
                "holder": Account.create().address,
                "documentHash": keccak(b"doc"),
                "publicData": b"{}",
                "nonce": 4,
                "deadline": NOW,
            },
            {
                "id": ID,
                "holder": "0x" + "00" * 20,
                "documentHash": b"\x00" * 32,
                "publicData": "更名".encode() * 300,
                "nonce": 0,
                "deadline": NOW,
            },
        ],
        "BindHolder": [
            {"id": ID, "holder": Account.create().address, "reasonHash": keccak(b"lost"), "nonce": 0, "deadline": NOW},
            {"id": b"\xff" * 32, "holder": "0x" + "ff" * 20, "reasonHash": b"\0" * 32, "nonce": big, "deadline": big},
        ],
        "Suspend": status,
        "Reinstate": status,
        "Revoke": status,
        "Transfer": [
            {
                "id": ID,
                "employer": EMPLOYER,
                "documentHash": keccak(b"d"),
                "publicData": b"",
                "nonce": 5,
                "deadline": NOW,
            },
            {
                "id": ID,
                "employer": b"\x00" * 32,
                "documentHash": keccak(b"e"),
                "publicData": b"\x00\x01",
                "nonce": 6,
                "deadline": NOW,
            },
        ],
        "RecordCredit": [
            {"request": credit_request(ID, decision="自然资罚〔2026〕12号", now=NOW), "nonce": 8, "deadline": NOW},
            {
                "request": {**credit_request(ID, decision="罚" * 200, now=NOW), "points": 65535, "category": 0},
                "nonce": big,
                "deadline": big,
            },
        ],
        "RestoreCredit": [
            {
                "request": {"record": ID, "evidenceHash": keccak(b"r"), "decisionNumber": "修复1"},
                "nonce": 0,
                "deadline": NOW,
            },
            {
                "request": {"record": b"\x00" * 32, "evidenceHash": b"\x00" * 32, "decisionNumber": ""},
                "nonce": 1,
                "deadline": 0,
            },
        ],
        **licensing_samples(firm, successor, big),
    }


def licensing_samples(firm: dict, successor: dict, big: int) -> dict[str, list[dict]]:
    """The licensing steps' messages: a plain one and one with extreme values, both with nonce 0 and a zero
    deadline (the on-chain check sets its own)."""
    auth = {"nonce": 0, "deadline": 0}
    request = {"kind": 1, "subject": EMPLOYER, "certificate": b"\0" * 32, "province": 33, "employer": b"\0" * 32,
               "dossier": keccak(b"d"), "publicData": '{"name":"杭州规划院"}'.encode()}  # fmt: skip
    extreme = {**request, "kind": 8, "certificate": b"\xff" * 32, "province": 255, "employer": b"\xff" * 32,
               "publicData": b""}  # fmt: skip
    one, other = keccak(b"application"), b"\xff" * 32

    def on(**fields: object) -> list[dict]:
        return [{"application": one, **fields, **auth}, {"application": other, **fields, **auth}]

    return {
        "File": [{"request": request, **auth}, {"request": extreme, **auth}],
        "FileOnPaper": [{"request": request, **auth}, {"request": extreme, **auth}],
        "RequestCompletion": on(listHash=keccak(b"list")),
        "Supplement": on(dossier=keccak(b"d2")),
        "RefuseAcceptance": on(reasonHash=keccak(b"r")),
        "Accept": on(),
        "Review": [
            {"application": one, "checksHash": keccak(b"c"), "opinionHash": keccak(b"o"), "noticeEndsAt": 0, **auth},
            {
                "application": other,
                "checksHash": b"\0" * 32,
                "opinionHash": b"\xff" * 32,
                "noticeEndsAt": 2**40 - 1,
                **auth,
            },
        ],
        "ExpertReview": [{"application": one, "begun": True, **auth}, {"application": other, "begun": False, **auth}],
        "ExtendDecision": on(reasonHash=keccak(b"e")),
        "PublishNotice": [
            {"application": one, "endsAt": NOW, **auth},
            {"application": other, "endsAt": 2**40 - 1, **auth},
        ],
        "Object": on(evidenceHash=keccak(b"ev"), textHash=keccak("挂证".encode())),
        "AnswerObjections": [
            {"objections": [one, other], "answerHash": keccak(b"a"), **auth},
            {"objections": [], "answerHash": b"\0" * 32, **auth},
        ],
        "ApproveFirst": on(dossier=keccak(b"d"), request=firm),
        "ApproveSuccessor": on(dossier=keccak(b"d"), successor=successor),
        "ApproveChange": on(dossier=keccak(b"d"), documentHash=keccak(b"doc"), publicData="更名".encode()),
        "ApproveCancellation": on(dossier=keccak(b"d")),
        "Consent": on(),
        "Refuse": on(reasonsHash=keccak(b"no")),
        "Withdraw": on(),
        "ProposeRevocation": [
            {"certificate": ID, "reason": 2, "evidenceHash": keccak(b"x"), **auth},
            {"certificate": other, "reason": 65535, "evidenceHash": b"\0" * 32, **auth},
        ],
        "ConfirmRevocation": [{"proposal": one, **auth}, {"proposal": other, **auth}],
        "WithdrawRevocation": [{"proposal": one, **auth}, {"proposal": other, **auth}],
    }


def contract_digest(harness: Contract, signed: SignedAct) -> bytes:
    function = getattr(harness.functions, f"{signed.act[0].lower()}{signed.act[1:]}Digest")
    return bytes(function(*signed.arguments(), signed.message["nonce"], signed.message["deadline"]).call())


@pytest.fixture
def harness(deployed: Deployed) -> Contract:
    return deploy_test_contract(deployed.w3, deployed.sender("admin"), "ActDigests")


@pytest.fixture
def credit_harness(deployed: Deployed) -> Contract:
    return deploy_test_contract(deployed.w3, deployed.sender("admin"), "CreditDigests")


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(alphabet="09AZaz-_ 浙规乙字一龥\u3400\uff10\uff21\u200b\u00a0\u0412\U0002a700", max_size=70))
def test_the_number_format_is_the_contracts_own(harness: Contract, text: str) -> None:
    """Python accepts a number as it stands exactly when the contract does (and folds look-alikes to it)."""
    try:
        python_accepts = validate_number(text) == text
    except IdentifierError:
        python_accepts = False
    assert harness.functions.isNumber(text).call() == python_accepts


def test_every_act_digest_equals_the_contracts_own(
    deployed: Deployed, harness: Contract, credit_harness: Contract
) -> None:
    chain_id = deployed.w3.eth.chain_id
    signer = Account.create()
    messages = sample_messages()
    assert set(messages) == set(ACT_TYPES), "every act has samples"
    for act, samples in messages.items():
        if ACTS[act].registry is Registry.LICENSING:
            continue  # the forwarder hashes inline: test_every_licensing_step_is_hashed_as_the_forwarder_hashes_it
        contract = credit_harness if ACTS[act].registry is Registry.CREDIT else harness
        domain = Domain.for_act(act, chain_id, contract.address)
        for message in samples:
            signed = sign_act(signer, domain, act, message)
            assert signed.digest() == contract_digest(contract, signed), act


def test_every_act_names_a_by_signature_function_of_its_registry(deployed: Deployed) -> None:
    """The act table is the one place the relay, the CLI and the API learn which contract and function take an act."""
    assert set(ACTS) == set(ACT_TYPES)
    contracts = deployed.ledger.registries
    for act, spec in ACTS.items():
        functions = {e["name"] for e in contracts[spec.registry].abi if e["type"] == "function"}
        assert spec.function in functions, act


def test_every_licensing_step_is_hashed_as_the_forwarder_hashes_it(deployed: Deployed) -> None:
    """Signed in Python, each sample gets past the forwarder's signature check (whatever the registry then says of
    the step itself); the same message with one field changed after signing does not."""
    forwarder, relayer = deployed.ledger.licensing_acts, deployed.sender("relayer")
    deadline = chain_now(deployed.w3) + 3600
    domain = Domain(deployed.w3.eth.chain_id, forwarder.address, LICENSING_DOMAIN_NAME)

    def judged(signed: SignedAct) -> type[Exception] | None:
        call = forwarder.get_function_by_name(ACTS[signed.act].function)
        try:
            relayer.simulate(call(*signed.arguments(), signed.delegation()))
        except ledger_errors.ContractRevert as refused:
            return type(refused)
        return None

    for act, samples in sample_messages().items():
        if ACTS[act].registry is not Registry.LICENSING:
            continue
        for message in samples:
            signed = sign_act(Account.create(), domain, act, {**message, "deadline": deadline})
            assert judged(signed) not in (ledger_errors.InvalidSignature, ledger_errors.UnknownRevert), act
            first = next(f["name"] for f in ACT_TYPES[act][act])
            tampered = (
                {**signed.message, "deadline": deadline - 1}
                if first == "request"
                else {
                    **signed.message,
                    first: [*signed.message[first], keccak(b"other")]
                    if isinstance(signed.message[first], list)
                    else keccak(b"other"),
                }
            )
            forged = SignedAct(act, tampered, signed.signer, signed.signature, domain)
            assert judged(forged) is ledger_errors.InvalidSignature, act


def test_a_credit_act_is_signed_in_the_credit_domain_only() -> None:
    message = sample_messages()["RecordCredit"][0]
    with pytest.raises(errors.WrongContract):
        sign_act(Account.create(), Domain(31337, "0x" + "12" * 20), "RecordCredit", message)
    signed = sign_act(Account.create(), Domain(31337, "0x" + "12" * 20, CREDIT_DOMAIN_NAME), "RecordCredit", message)
    document = signed.to_json()
    document["typedData"]["domain"]["name"] = "PlanningQualificationLedger"
    with pytest.raises(errors.WrongContract):
        SignedAct.from_json(document)


def test_digests_equal_eth_accounts_reference_encoding() -> None:
    """Our EIP-712 hashing against eth-account's general one, for every act and for presentations."""
    domain = Domain(31337, "0x" + "12" * 20)
    cases = [(ACT_TYPES[act], act, m) for act, samples in sample_messages().items() for m in samples]
    challenge = {
        "certificateId": ID,
        "audience": "招标平台",
        "nonce": b"\x01" * 32,
        "issuedAt": 1,
        "expiresAt": 2**64 - 1,
    }
    cases.append((PRESENTATION_TYPES, "Presentation", challenge))
    for types, primary, message in cases:
        reference = encode_typed_data(domain.as_dict(), types, message)
        expected = keccak(b"\x19" + reference.version + reference.header + reference.body)
        assert typed_data_digest(domain, types, primary, message) == expected, primary


def test_a_digest_differs_when_one_field_does(deployed: Deployed, harness: Contract) -> None:
    domain = Domain(deployed.w3.eth.chain_id, harness.address)
    signed = sign_act(Account.create(), domain, "Issue", sample_messages()["Issue"][0])
    replacements = {
        "number": "other",
        "kind": 2,
        "grade": 1,
        "publicData": b"{}",
        "subject": b"\x01" * 32,
        "holder": Account.create().address,
    }
    for field in ("number", "kind", "grade", "province", "subject", "holder", "validUntil", "publicData"):
        changed = dict(signed.message["request"])
        changed[field] = replacements[field] if field in replacements else changed[field] + 1
        other = sign_act(Account.create(), domain, "Issue", {**signed.message, "request": changed})
        assert other.digest() != signed.digest(), field
        assert other.digest() == contract_digest(harness, other), field


def test_signed_act_round_trips_through_json_and_names_its_signer() -> None:
    signer = Account.create()
    domain = HERE
    signed = sign_act(signer, domain, "Upgrade", sample_messages()["Upgrade"][0])
    carried = SignedAct.from_json(json.loads(json.dumps(signed.to_json())))
    assert carried == signed
    assert verify_act(carried, domain, now=NOW) == signer.address


HERE = Domain(31337, "0x" + "12" * 20)


def refused_when(document: dict, expected: Domain = HERE, now: int = NOW) -> str:
    with pytest.raises(errors.SignatureRefused) as refused:
        verify_act(SignedAct.from_json(document), expected, now=now)
    return refused.value.code


@pytest.fixture
def document() -> dict:
    signed = sign_act(Account.create(), HERE, "Suspend", sample_messages()["Suspend"][0])
    return json.loads(json.dumps(signed.to_json()))


def test_one_changed_field_is_refused_as_another_signer(document: dict) -> None:
    document["typedData"]["message"]["reason"] = 2
    assert refused_when(document) == "signer-mismatch"


def test_another_chain_another_contract_and_an_expired_deadline_are_refused(document: dict) -> None:
    assert refused_when(document, expected=Domain(1, "0x" + "12" * 20)) == "wrong-chain"
    assert refused_when(document, expected=Domain(31337, "0x" + "34" * 20)) == "wrong-contract"
    assert refused_when(document, now=NOW + 1) == "expired"


@pytest.mark.parametrize(
    "damage",
    [
        lambda d: d.update(signature="0x1234"),
        lambda d: d.update(signature="not hex"),
        lambda d: d.update(signature=d["signature"][:-2] + "05"),  # v = 5
        lambda d: d.update(signature="0x" + "00" * 65),
    ],
)
def test_malformed_signatures_are_refused_as_malformed(document: dict, damage) -> None:
    damage(document)
    with pytest.raises(errors.MalformedSignature):
        verify_act(SignedAct.from_json(document), HERE, now=NOW)


@pytest.mark.parametrize(
    "damage",
    [
        lambda d: d.update(format="something/else"),
        lambda d: d["typedData"].update(primaryType="Mint"),
        lambda d: d["typedData"]["types"]["Suspend"].pop(),
        lambda d: d["typedData"]["message"].update(reason=70000),
        lambda d: d["typedData"]["message"].update(id="0x1234"),
        lambda d: d["typedData"]["message"].update(extra=1),
        lambda d: d.update(signer="ministry"),
    ],
)
def test_malformed_documents_are_refused_before_any_check(document: dict, damage) -> None:
    damage(document)
    with pytest.raises(errors.MalformedMessage):
        SignedAct.from_json(document)
