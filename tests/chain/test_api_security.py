"""Attacks on the API from issue 14's security review, each against a real anvil: what a hostile client tried,
and what it gets now."""

from __future__ import annotations

import json
import time
from pathlib import Path
from urllib.parse import quote

import pytest
import segno
from eth_account import Account
from sqlalchemy import text
from web3 import Web3

from ledger.certificates.client import certificate_id
from tests.api_helpers import is_problem
from tests.chain.test_api_identity import login_message, signed_suspension
from tests.conftest import Served
from wallet.devkeys import dev_account
from wallet.instants import timestamp
from wallet.presentation import Challenge, present
from wallet.siwe import SiweMessage


@pytest.mark.parametrize("fault", ["unknown-label", "wrong-password"])
def test_a_relayer_keystore_fault_is_a_server_fault_without_path_or_label(
    served: Served, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fault: str
) -> None:
    """Finding 10: a keystore the relayer cannot open was answered 401 with the keystore's path and label."""
    keys = tmp_path / "secret-keystores"
    monkeypatch.setenv("WALLET_DIR", str(keys))
    monkeypatch.setenv("WALLET_PASSWORD", "not-the-password")
    label = "relayer-hot-wallet"
    if fault == "wrong-password":
        from wallet.keystore import KeyStore

        KeyStore(keys, scrypt_n=2).import_key(label, dev_account("relayer", 31337).key.hex(), "the-password")
    client = served.app(RELAYER_ACCOUNT=None, RELAYER_KEY=label)
    number = served.firms[0][1]["number"]
    answer = client.post("/api/v1/acts", json=signed_suspension(served, dev_account("ministry", 31337), number))
    body = is_problem(answer, 503, "relay-unavailable")
    text = json.dumps(body, ensure_ascii=False)
    assert str(keys) not in text and label not in text and "keystore" not in text.lower()


@pytest.mark.parametrize("path", ["/c/{number}", "/c/{number}/print"])
def test_the_qr_code_leads_to_public_origin_whatever_host_the_request_names(served: Served, path: str) -> None:
    """Finding 11: the page's QR code took the request's Host header, so a forged Host (a poisoned cache, a
    phishing mirror) printed a code that leads elsewhere."""
    number = served.firms[0][1]["number"]
    url = path.format(number=number)
    forged = served.client.get(url, headers={"Host": "phishing.example"})
    assert forged.status_code == 200
    expected = segno.make(f"http://verify.test/c/{quote(number)}", error="m").svg_inline(scale=4, border=2, dark="#111")
    assert expected in forged.text
    assert served.client.get(url).text.count(expected) == 1


def _deploy_runtime(w3: Web3, runtime: bytes) -> str:
    """A contract with exactly this runtime code, deployed from an unlocked anvil account no test signs with."""
    init = bytes([0x61, len(runtime) >> 8, len(runtime) & 0xFF, 0x80, 0x60, 0x0C, 0x60, 0, 0x39, 0x60, 0, 0xF3])
    tx = w3.eth.send_transaction({"from": w3.eth.accounts[8], "data": init + runtime})
    return w3.eth.wait_for_transaction_receipt(tx)["contractAddress"]


# isValidSignature of a wallet that vouches for anything, after 65,536 turns of a loop (about 1.7 M gas).
_HEAVY_WALLET = bytes.fromhex(
    "62010000"  # PUSH3 65536
    "5b600190038060045750"  # loop: JUMPDEST PUSH1 1 SWAP1 SUB DUP1 PUSH1 4 JUMPI, then POP
    "7f1626ba7e" + "00" * 28 + "60005260206000f3"  # return bytes4(0x1626ba7e), ABI-encoded
)


def test_an_eip1271_check_is_capped_in_gas(served: Served) -> None:
    """Finding 11: sign-in made an EIP-1271 eth_call to any contract the client named, with the block's gas: a
    client could make the node run millions of gas per anonymous request."""
    wallet = _deploy_runtime(served.deployed.w3, _HEAVY_WALLET)
    nonce = served.client.post("/api/v1/auth/nonce").json
    message = SiweMessage(
        domain=nonce["domain"], address=wallet, uri=nonce["uri"], chain_id=nonce["chainId"], nonce=nonce["nonce"],
        issued_at=timestamp(int(time.time())), statement="Sign in.",
    )  # fmt: skip
    login = served.client.post("/api/v1/auth/login", json={"message": message.text(), "signature": "0x" + "11" * 65})
    is_problem(login, 401, "signer-mismatch")


def test_without_the_development_flag_the_api_relays_with_no_development_key(
    served: Served, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Finding 11: on chain id 31337 the API fell back to the public relayer key whatever the installation."""
    act = signed_suspension(served, dev_account("ministry", 31337), served.firms[0][1]["number"])
    client = served.app(RELAYER_ACCOUNT=None, RELAYER_KEY=None)
    monkeypatch.delenv("LEDGER_DEVELOPMENT")
    answer = client.post("/api/v1/acts", json=act)
    is_problem(answer, 503, "relay-unavailable")


def _challenge(served: Served, number: str, audience: str = "tender.example.cn") -> dict:
    answer = served.client.post("/api/v1/presentations/challenge", json={"number": number, "audience": audience})
    assert answer.status_code == 200, answer.json
    return answer.json


def _answer(served: Served, challenge: dict, **changes: object) -> dict:
    """The holder of firm 0 answers ``challenge``, with some of its fields changed first."""
    changed = {**challenge, "message": {**challenge["message"], **changes}}
    return present(served.holder, Challenge.from_json(changed)).to_json()


def test_a_challenge_for_one_certificate_cannot_be_answered_with_another(served: Served) -> None:
    """Finding 8: only the nonce was stored, so a challenge about firm 1 answered with the attacker's own firm 0
    (its id, signed by its holder) verified, and so did one whose expiry the client moved."""
    mine, theirs = served.firms[0][1]["number"], served.firms[1][1]["number"]
    challenge = _challenge(served, theirs)
    swapped = _answer(served, challenge, certificateId="0x" + certificate_id(mine).hex())
    is_problem(served.client.post("/api/v1/presentations/verify", json=swapped), 401, "wrong-challenge")

    challenge = _challenge(served, mine)
    extended = _answer(served, challenge, expiresAt=challenge["message"]["expiresAt"] + 86_400)
    is_problem(served.client.post("/api/v1/presentations/verify", json=extended), 401, "wrong-challenge")
    other_audience = _answer(served, challenge, audience="another-platform.example")
    is_problem(served.client.post("/api/v1/presentations/verify", json=other_audience), 401, "wrong-challenge")
    good = served.client.post("/api/v1/presentations/verify", json=_answer(served, challenge))
    assert good.status_code == 200 and good.json["number"] == mine and good.json["audience"] == "tender.example.cn"


def test_the_relying_party_names_its_audience(served: Served) -> None:
    """Finding 8: every relying party shared the API's host as audience, so a presentation one platform received
    was as good at any other."""
    number = served.firms[0][1]["number"]
    unnamed = served.client.post("/api/v1/presentations/challenge", json={"number": number})
    is_problem(unnamed, 400, "invalid-request")
    assert _challenge(served, number, "投标平台 bid.example.cn")["message"]["audience"] == "投标平台 bid.example.cn"


def _token(served: Served, client, account) -> str:
    text, signature = login_message(served, account, client=client)
    login = client.post("/api/v1/auth/login", json={"message": text, "signature": signature})
    assert login.status_code == 200, login.json
    return login.json["token"]


def test_a_throwaway_key_does_not_buy_the_signed_in_limit(served: Served) -> None:
    """Finding 7: any fresh key that signed in got the 10x signed-in budget (and a new key, a new budget)."""
    client = served.app(RATE_LIMIT_ANONYMOUS="3/minute", RATE_LIMIT_SIGNED_IN="50/minute",
                        RATE_LIMIT_AUTH="100/minute")  # fmt: skip
    url = f"/api/v1/certificates/{served.firms[0][1]['number']}"
    for _ in range(2):  # a second throwaway key shares the first one's count: the network address's
        bearer = {"Authorization": f"Bearer {_token(served, client, Account.create())}"}
        answer = client.get(url, headers=bearer)
    assert answer.status_code == 200 and answer.headers["X-RateLimit-Limit"] == "3"
    client.get(url)
    is_problem(client.get(url, headers=bearer), 429, "rate-limited")

    ministry = {"Authorization": f"Bearer {_token(served, client, dev_account('ministry', 31337))}"}
    assert client.get(url, headers=ministry).headers["X-RateLimit-Limit"] == "50"  # a role on chain

    listed = Account.create()
    allowed = f"0x{'1' * 40}, {listed.address.lower()}"
    client = served.app(RATE_LIMIT_ANONYMOUS="3/minute", RATE_LIMIT_SIGNED_IN="50/minute",
                        RATE_LIMIT_AUTH="100/minute", RATE_LIMIT_ACCOUNTS=allowed)  # fmt: skip
    bearer = {"Authorization": f"Bearer {_token(served, client, listed)}"}
    assert client.get(url, headers=bearer).headers["X-RateLimit-Limit"] == "50"  # on the allow-list


def test_refused_tokens_are_counted_before_they_are_refused(served: Served) -> None:
    """Finding 7: 20 requests with a garbage bearer token were all answered 401, none counted."""
    client = served.app(RATE_LIMIT_ANONYMOUS="4/minute")
    url = f"/api/v1/certificates/{served.firms[0][1]['number']}"
    answers = [client.get(url, headers={"Authorization": f"Bearer garbage-{i}"}).status_code for i in range(20)]
    assert answers == [401] * 4 + [429] * 16
    is_problem(client.get(url), 429, "rate-limited")  # the same network address, the same count


def test_sign_in_is_limited_tightly_per_address_and_issuing_nonces_writes_nothing(served: Served) -> None:
    """Finding 7: every /auth/nonce was an unauthenticated database write, on the ordinary anonymous budget."""
    client = served.app(RATE_LIMIT_AUTH="5/minute")
    with served.engine.connect() as connection:
        before = connection.execute(text("SELECT count(*) FROM issued_nonces")).scalar_one()
    answers = [client.post("/api/v1/auth/nonce").status_code for _ in range(6)]
    assert answers == [200] * 5 + [429]
    with served.engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM issued_nonces")).scalar_one() == before
    is_problem(client.post("/api/v1/auth/login", json={"message": "x", "signature": "0x00"}), 429, "rate-limited")
    is_problem(client.get("/api/v1/auth/me"), 429, "rate-limited")
    assert client.get(f"/api/v1/certificates/{served.firms[0][1]['number']}").status_code == 200  # the rest is not
