"""Holder presentations checked against what the chain says of the certificate: the holder's key answers once;
any other key, audience, chain, contract, time or status is refused by name."""

from __future__ import annotations

import dataclasses
import json

import pytest
from eth_account import Account
from eth_utils import keccak

from wallet import errors
from wallet.nonces import MemoryNonces
from wallet.presentation import HolderRecord, Presentation, PresentationVerifier, present
from wallet.typed_acts import Domain

NOW = 1_790_000_000
HERE = Domain(31337, "0x" + "12" * 20)
CERT = keccak(text="浙规乙字330001")
HOLDER = Account.create()


def verifier_with(record: HolderRecord | None) -> PresentationVerifier:
    return PresentationVerifier(
        domain=HERE, audience="招标平台 tender.example.cn", lookup=lambda _id, _at: record, nonces=MemoryNonces()
    )


@pytest.fixture
def verifier() -> PresentationVerifier:
    return verifier_with(HolderRecord(HOLDER.address, "ACTIVE", True))


def refusal(verifier: PresentationVerifier, presentation: Presentation, now: int = NOW) -> str:
    with pytest.raises(errors.SignatureRefused) as refused:
        verifier.verify(presentation, now)
    return refused.value.code


def test_the_holder_answers_once(verifier: PresentationVerifier) -> None:
    answer = present(HOLDER, verifier.challenge(CERT, NOW))
    carried = Presentation.from_json(json.loads(json.dumps(answer.to_json())))
    assert verifier.verify(carried, NOW + 5).holder == HOLDER.address
    assert refusal(verifier, carried, NOW + 6) == "replayed"


def test_another_key_is_not_the_holder(verifier: PresentationVerifier) -> None:
    assert refusal(verifier, present(Account.create(), verifier.challenge(CERT, NOW))) == "not-holder"


def test_a_changed_field_no_longer_matches_the_holder(verifier: PresentationVerifier) -> None:
    answer = present(HOLDER, verifier.challenge(CERT, NOW))
    longer = dataclasses.replace(answer.challenge, expires_at=answer.challenge.expires_at + 3600)
    assert refusal(verifier, Presentation(longer, answer.signature)) == "not-holder"


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"domain": Domain(1, HERE.registry)}, "wrong-chain"),
        ({"domain": Domain(31337, "0x" + "34" * 20)}, "wrong-contract"),
        ({"audience": "another platform"}, "wrong-audience"),
        ({"expires_at": NOW - 1}, "expired"),
        ({"issued_at": NOW + 3600}, "not-yet-valid"),
        ({"nonce": b"\x07" * 32}, "wrong-nonce"),
    ],
)
def test_each_wrong_field_is_refused_by_name(verifier: PresentationVerifier, change: dict, code: str) -> None:
    challenge = dataclasses.replace(verifier.challenge(CERT, NOW), **change)
    assert refusal(verifier, present(HOLDER, challenge)) == code


@pytest.mark.parametrize("status", ["SUSPENDED", "REVOKED", "EXPIRED", "SUPERSEDED"])
def test_a_certificate_that_is_not_valid_is_refused(status: str) -> None:
    verifier = verifier_with(HolderRecord(HOLDER.address, status, False))
    assert refusal(verifier, present(HOLDER, verifier.challenge(CERT, NOW))) == "certificate-not-valid"


def test_an_unknown_certificate_is_refused() -> None:
    verifier = verifier_with(None)
    assert refusal(verifier, present(HOLDER, verifier.challenge(CERT, NOW))) == "unknown-certificate"


def test_malformed_presentations(verifier: PresentationVerifier) -> None:
    document = present(HOLDER, verifier.challenge(CERT, NOW)).to_json()
    with pytest.raises(errors.MalformedSignature):
        Presentation.from_json({**document, "signature": "0xabc"})
    with pytest.raises(errors.MalformedMessage):
        Presentation.from_json({**document, "message": {**document["message"], "expiresAt": -1}})
