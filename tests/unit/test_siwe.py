"""Sign-In with Ethereum as a server checks it: each way a sign-in can be wrong is refused by name, a good one
is accepted once, and our messages read the same in the reference implementation (the ``siwe`` package)."""

from __future__ import annotations

import dataclasses

import pytest
import siwe as reference
from eth_account import Account
from eth_account.messages import encode_defunct

from wallet import errors
from wallet.instants import timestamp
from wallet.nonces import MemoryNonces
from wallet.siwe import SiweMessage, SiweVerifier, sign_in

NOW = 1_790_000_000
DOMAIN, URI, CHAIN = "ledger.example.cn", "https://ledger.example.cn/api/v1/auth/login", 31337
USER = Account.create()


@pytest.fixture
def verifier() -> SiweVerifier:
    return SiweVerifier(domain=DOMAIN, uri=URI, chain_id=CHAIN, nonces=MemoryNonces())


def message(verifier: SiweVerifier, **changes) -> SiweMessage:
    good = SiweMessage(
        domain=DOMAIN,
        address=USER.address,
        statement="登录国土空间规划资质链 / Sign in to the planning-qualification ledger",
        uri=URI,
        chain_id=CHAIN,
        nonce=verifier.issue_nonce(NOW),
        issued_at=timestamp(NOW),
        expiration_time=timestamp(NOW + 300),
        request_id="req-1",
        resources=("https://ledger.example.cn/api/v1/acts",),
    )
    return dataclasses.replace(good, **changes)


def refusal(verifier: SiweVerifier, text: str, signature: str, now: int = NOW) -> str:
    with pytest.raises(errors.SignatureRefused) as refused:
        verifier.verify(text, signature, now)
    return refused.value.code


def test_a_good_sign_in_is_accepted_once(verifier: SiweVerifier) -> None:
    text, signature = sign_in(USER, message(verifier))
    assert Account.recover_message(encode_defunct(text=text), signature=signature) == USER.address  # as wallets do
    assert verifier.verify(text, signature, NOW + 10).address == USER.address
    assert refusal(verifier, text, signature, NOW + 20) == "replayed"


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"domain": "evil.example.com"}, "wrong-domain"),
        ({"uri": "https://evil.example.com/login"}, "wrong-uri"),
        ({"chain_id": 1}, "wrong-chain"),
        ({"nonce": "NeverIssued123"}, "wrong-nonce"),
        ({"expiration_time": timestamp(NOW - 1)}, "expired"),
        ({"not_before": timestamp(NOW + 3600)}, "not-yet-valid"),
        ({"issued_at": timestamp(NOW + 3600)}, "not-yet-valid"),
    ],
)
def test_each_wrong_field_is_refused_by_name(verifier: SiweVerifier, change: dict, code: str) -> None:
    text, signature = sign_in(USER, message(verifier, **change))
    assert refusal(verifier, text, signature) == code


def test_a_lapsed_nonce_is_refused(verifier: SiweVerifier) -> None:
    text, signature = sign_in(USER, message(verifier, expiration_time=None))
    assert refusal(verifier, text, signature, NOW + 301) == "expired"


def test_one_changed_line_or_another_key_is_a_signer_mismatch(verifier: SiweVerifier) -> None:
    text, signature = sign_in(USER, message(verifier))
    assert refusal(verifier, text.replace("Request ID: req-1", "Request ID: req-2"), signature) == "signer-mismatch"
    _, other = sign_in(Account.create(), message(verifier))
    assert refusal(verifier, text, other) == "signer-mismatch"


@pytest.mark.parametrize("signature", ["0x", "0x1234", "zz", "0x" + "00" * 65, "0x" + "11" * 64 + "05"])
def test_malformed_signatures(verifier: SiweVerifier, signature: str) -> None:
    text, _ = sign_in(USER, message(verifier))
    assert refusal(verifier, text, signature) == "malformed-signature"


@pytest.mark.parametrize(
    "damage",
    [
        lambda t: t.replace(" wants you to sign in", " would like you to sign in"),
        lambda t: t.replace(USER.address, USER.address.lower()),
        lambda t: t.replace("Version: 1", "Version: 2"),
        lambda t: t.replace("Chain ID: 31337", "Chain ID: one"),
        lambda t: t.replace("Issued At: ", "Issued At: yesterday "),
        lambda t: t + "\nP.S. hello",
        lambda t: "",
    ],
)
def test_malformed_messages(verifier: SiweVerifier, damage) -> None:
    text, signature = sign_in(USER, message(verifier))
    assert refusal(verifier, damage(text), signature) == "malformed-message"


@pytest.mark.parametrize("statement", [None, "Sign in"])
def test_the_reference_implementation_reads_our_messages_alike(verifier: SiweVerifier, statement) -> None:
    ours = message(verifier, statement=statement, not_before=timestamp(NOW - 5))
    theirs = reference.SiweMessage.from_message(ours.text())
    assert theirs.prepare_message() == ours.text()
    assert (theirs.address, theirs.nonce, theirs.chain_id, theirs.uri) == (ours.address, ours.nonce, CHAIN, URI)
    assert SiweMessage.parse(theirs.prepare_message()) == ours


def test_nonces_with_a_key_are_stored_only_when_spent() -> None:
    """Issue 14, finding 7: issuing a nonce wrote a row for anyone who asked; with a key it writes nothing, and
    a nonce the key did not make, a lapsed one or a spent one is still refused."""
    nonces = MemoryNonces()
    keyed = SiweVerifier(domain=DOMAIN, uri=URI, chain_id=CHAIN, nonces=nonces, nonce_key=b"k" * 32)
    issued = [keyed.issue_nonce(NOW) for _ in range(100)]
    assert len(set(issued)) == 100 and nonces._issued == {}
    text, signature = sign_in(USER, message(keyed, nonce=issued[0]))
    assert keyed.verify(text, signature, NOW + 10).address == USER.address
    assert refusal(keyed, text, signature, NOW + 20) == "replayed"
    forged = issued[1][:-1] + ("0" if issued[1][-1] != "0" else "1")
    assert refusal(keyed, *sign_in(USER, message(keyed, nonce=forged))) == "wrong-nonce"
    other = SiweVerifier(domain=DOMAIN, uri=URI, chain_id=CHAIN, nonces=nonces, nonce_key=b"x" * 32)
    assert refusal(keyed, *sign_in(USER, message(keyed, nonce=other.issue_nonce(NOW)))) == "wrong-nonce"
    assert refusal(keyed, *sign_in(USER, message(keyed, nonce=issued[2])), now=NOW + 301) == "expired"
