"""Signature-based identity through the API against a real anvil: Sign-In with Ethereum and bearer tokens,
regulators' signed acts relayed and followed to the chain, holders' presentations, and rate limits."""

from __future__ import annotations

import time

from eth_account import Account

from ledger.certificates.client import certificate_id
from tests.api_helpers import is_problem
from tests.chain_helpers import chain_now
from tests.conftest import Served
from wallet.devkeys import dev_account
from wallet.instants import timestamp
from wallet.presentation import Challenge, present
from wallet.siwe import SiweMessage, sign_in
from wallet.typed_acts import Domain, sign_act


def login_message(served: Served, account, client=None, **changes) -> tuple[str, str]:
    nonce = (client or served.client).post("/api/v1/auth/nonce").json
    fields = {
        "domain": nonce["domain"],
        "address": account.address,
        "uri": nonce["uri"],
        "chain_id": nonce["chainId"],
        "nonce": nonce["nonce"],
        "issued_at": timestamp(int(time.time())),
        "statement": "Sign in to verify planning qualifications.",
        **changes,
    }
    return sign_in(account, SiweMessage(**fields))


def test_sign_in_gives_a_token_and_the_roles_on_chain(served: Served) -> None:
    ministry = dev_account("ministry", 31337)
    text, signature = login_message(served, ministry)
    login = served.client.post("/api/v1/auth/login", json={"message": text, "signature": signature})
    assert login.status_code == 200, login.json
    body = login.json
    assert body["address"] == ministry.address and body["tokenType"] == "Bearer" and body["expiresIn"] == 900
    assert body["roles"] == {"ministry": True, "provincialRegulator": None, "plannerRegistrar": False, "admin": False}
    me = served.client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {body['token']}"})
    assert me.json["address"] == ministry.address and me.json["roles"]["ministry"] is True

    replay = served.client.post("/api/v1/auth/login", json={"message": text, "signature": signature})
    is_problem(replay, 401, "replayed")


def test_sign_in_refusals_name_their_reason(served: Served) -> None:
    someone = Account.create()
    text, signature = login_message(served, someone, domain="phishing.example")
    is_problem(served.client.post("/api/v1/auth/login", json={"message": text, "signature": signature}), 401,
               "wrong-domain")  # fmt: skip
    text, _ = login_message(served, someone)
    _, other = login_message(served, Account.create())
    is_problem(served.client.post("/api/v1/auth/login", json={"message": text, "signature": other}), 401,
               "signer-mismatch")  # fmt: skip
    text, signature = login_message(served, someone, nonce="a" * 16)
    is_problem(served.client.post("/api/v1/auth/login", json={"message": text, "signature": signature}), 401,
               "wrong-nonce")  # fmt: skip
    garbage = served.client.post("/api/v1/auth/login", json={"message": "hello", "signature": "0x00"})
    assert garbage.status_code == 400 and garbage.json["type"] in ("/problems/malformed-message",
                                                                   "/problems/malformed-signature")  # fmt: skip
    is_problem(served.client.get("/api/v1/auth/me", headers={"Authorization": "Bearer forged"}), 401, "invalid-token")
    anonymous = served.client.get("/api/v1/auth/me")
    is_problem(anonymous, 401, "not-signed-in")
    assert anonymous.headers["WWW-Authenticate"] == "Bearer" and "headers" not in anonymous.json


def test_a_token_expires(served: Served) -> None:
    client = served.app(TOKEN_TTL_SECONDS=1)
    text, signature = login_message(served, Account.create())
    token = client.post("/api/v1/auth/login", json={"message": text, "signature": signature}).json["token"]
    assert client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {token}"}).status_code == 200
    time.sleep(2.1)
    is_problem(client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {token}"}), 401, "token-expired")


def signed_suspension(served: Served, signer, number: str, nonce: int = 0, reason: int = 4) -> dict:
    message = {"id": certificate_id(number), "reason": reason, "nonce": nonce,
               "deadline": chain_now(served.deployed.w3) + 3600}  # fmt: skip
    domain = Domain(31337, served.deployed.record.address)
    return sign_act(signer, domain, "Suspend", message).to_json()


def test_a_signed_act_is_relayed_and_followed_until_the_certificate_shows_it(served: Served) -> None:
    ministry = dev_account("ministry", 31337)
    number = served.firms[0][1]["number"]
    accepted = served.client.post("/api/v1/acts", json=signed_suspension(served, ministry, number))
    assert accepted.status_code == 202, accepted.json
    tx_hash = accepted.json["txHash"]
    assert accepted.json["signer"] == ministry.address and accepted.json["statusUrl"].endswith(tx_hash)
    served.deployed.w3.eth.wait_for_transaction_receipt(tx_hash)
    mined = served.client.get(f"/api/v1/acts/{tx_hash}").json
    assert mined["state"] == "mined" and mined["indexed"] is False  # the indexer has not read it yet
    served.indexer.sync()
    mined = served.client.get(f"/api/v1/acts/{tx_hash}").json
    assert mined["indexed"] is True
    assert [c["status"] for c in mined["certificates"]] == ["SUSPENDED"]
    assert mined["certificates"][0]["history"][-1]["actor"] == ministry.address  # the regulator, not the relayer

    again = served.client.post("/api/v1/acts", json=signed_suspension(served, ministry, number))
    is_problem(again, 401, "replayed")


def test_acts_refused_before_anything_is_sent(served: Served) -> None:
    number = served.firms[0][1]["number"]
    outsider = Account.create()
    before = served.deployed.w3.eth.block_number
    is_problem(served.client.post("/api/v1/acts", json=signed_suspension(served, outsider, number)), 403,
               "missing-role")  # fmt: skip
    forged = signed_suspension(served, dev_account("ministry", 31337), number)
    forged["typedData"]["message"]["reason"] = 2  # one field changed after signing (to another code of the act)
    is_problem(served.client.post("/api/v1/acts", json=forged), 401, "signer-mismatch")
    unknown = signed_suspension(served, dev_account("ministry", 31337), "自资规甲0000000")
    assert served.client.post("/api/v1/acts", json=unknown).json["type"] == "/problems/unknown-certificate"
    is_problem(served.client.post("/api/v1/acts", json={"format": "x"}), 400, "invalid-request")
    assert served.deployed.w3.eth.block_number == before  # nothing reached the chain


def test_a_failed_act_reports_the_contracts_named_error(served: Served) -> None:
    number = served.firms[3][1]["number"]
    ministry = served.deployed.sender("ministry")
    revoke = served.deployed.registry.functions.revoke
    ministry.transact(revoke(certificate_id(number), 3))
    tx_hash = ministry.send(revoke(certificate_id(number), 3), gas=200_000).to_0x_hex()  # revoking twice
    served.deployed.w3.eth.wait_for_transaction_receipt(tx_hash)
    failed = served.client.get(f"/api/v1/acts/{tx_hash}").json
    assert failed["state"] == "failed" and failed["error"] == "WrongStatus"
    is_problem(served.client.get("/api/v1/acts/0x" + "12" * 32), 404, "transaction-not-found")
    is_problem(served.client.get("/api/v1/acts/not-a-hash"), 400, "invalid-request")


AUDIENCE = "tender.example.cn"


def test_a_holder_proves_control_of_a_certificate(served: Served) -> None:
    number = served.firms[0][1]["number"]
    challenge = served.client.post("/api/v1/presentations/challenge", json={"number": number, "audience": AUDIENCE})
    challenge = challenge.json
    presentation = present(served.holder, Challenge.from_json(challenge)).to_json()
    verified = served.client.post("/api/v1/presentations/verify", json=presentation)
    assert verified.status_code == 200, verified.json
    assert verified.json == {"verified": True, "number": number, "audience": AUDIENCE,
                             "holder": served.holder.address, "status": "ACTIVE", "statusLabel": "有效"}  # fmt: skip
    is_problem(served.client.post("/api/v1/presentations/verify", json=presentation), 401, "replayed")

    challenge = served.client.post("/api/v1/presentations/challenge", json={"number": number, "audience": AUDIENCE})
    challenge = challenge.json
    impostor = present(Account.create(), Challenge.from_json(challenge)).to_json()
    is_problem(served.client.post("/api/v1/presentations/verify", json=impostor), 403, "not-holder")
    missing = served.client.post("/api/v1/presentations/challenge", json={"number": "自资规甲0000000", "audience": "a"})
    is_problem(missing, 404, "certificate-not-found")
    nul = served.client.post("/api/v1/presentations/challenge", json={"number": "自资规甲\x00", "audience": "a"})
    is_problem(nul, 400, "invalid-request")  # no number holds a control character (PostgreSQL's text no NUL: a 500)


def test_rate_limits_per_client_with_standard_headers(served: Served) -> None:
    client = served.app(RATE_LIMIT_ANONYMOUS="3/minute", RATE_LIMIT_SIGNED_IN="5/minute")
    number = served.firms[0][1]["number"]
    remaining = [int(client.get(f"/api/v1/certificates/{number}").headers["X-RateLimit-Remaining"]) for _ in range(3)]
    assert remaining == [2, 1, 0]
    limited = client.get(f"/api/v1/certificates/{number}")
    is_problem(limited, 429, "rate-limited")
    assert int(limited.headers["Retry-After"]) > 0 and limited.headers["X-RateLimit-Limit"] == "3"
    assert client.get("/livez").status_code == 200  # health is never limited

    # a regulator signed in (a role on chain), the same network address counts against its account's larger limit
    text, signature = login_message(served, dev_account("ministry", 31337))
    token = served.client.post("/api/v1/auth/login", json={"message": text, "signature": signature}).json["token"]
    signed_in = client.get(f"/api/v1/certificates/{number}", headers={"Authorization": f"Bearer {token}"})
    assert signed_in.status_code == 200 and signed_in.headers["X-RateLimit-Limit"] == "5"


def test_the_spec_tells_a_generated_client_where_to_send_the_bearer_token(served: Served) -> None:
    """Found by an integrator (issue 16): without `securitySchemes`, generated clients never sent the token."""
    spec = served.client.get("/api/v1/openapi.json").json
    scheme = spec["components"]["securitySchemes"]["BearerAuth"]
    assert (scheme["type"], scheme["scheme"]) == ("http", "bearer")
    assert spec["paths"]["/api/v1/auth/me"]["get"]["security"] == [{"BearerAuth": []}]
    assert spec["paths"]["/api/v1/files"]["post"]["security"] == [{"BearerAuth": []}]
