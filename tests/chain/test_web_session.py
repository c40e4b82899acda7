"""The pages' session and their act endpoints through the app's own HTTP stack (no browser): a signed challenge
opens a session bound to its address; forms that cannot make an act are refused field by field, in Chinese; an
act signed by another account than the one signed in is refused; the session expires and signs out."""

from __future__ import annotations

import re

from eth_account import Account
from eth_account.signers.local import LocalAccount
from flask.testing import FlaskClient

from tests.api_helpers import is_problem
from tests.conftest import Served
from wallet.siwe import SiweMessage, sign_in
from wallet.typed_acts import Domain, act_message, sign_act

CSRF = re.compile(r'<meta name="csrf-token" content="([^"]+)">')


def csrf_of(client: FlaskClient) -> dict[str, str]:
    token = CSRF.search(client.get("/notices").get_data(as_text=True))
    assert token is not None
    return {"X-CSRFToken": token.group(1)}


def signed_in(client: FlaskClient, account: LocalAccount) -> dict[str, str]:
    headers = csrf_of(client)
    challenge = client.post("/web/sign-in/challenge", json={"address": account.address}, headers=headers)
    assert challenge.status_code == 200, challenge.json
    text, signature = sign_in(account, SiweMessage.parse(challenge.json["message"]))
    answer = client.post("/web/sign-in", json={"message": text, "signature": signature}, headers=headers)
    assert answer.status_code == 200 and answer.json["address"] == account.address, answer.json
    return csrf_of(client)  # a new session: a new token


def test_a_session_opens_for_the_signer_and_signs_out(served: Served) -> None:
    client, person = served.app(), Account.create()
    before = csrf_of(client)
    headers = signed_in(client, person)
    assert headers != before  # signing in starts a new session, with a new CSRF token
    assert person.address[:8] in client.get("/portal").get_data(as_text=True)
    cookie = client.get_cookie("pql_session")
    assert (
        cookie is not None and cookie.http_only and cookie.same_site == "Lax"
    )  # no script reads it, no other site sends it
    assert client.post("/web/sign-out", json={}, headers=headers).status_code == 200
    assert client.get("/portal").status_code == 401


def test_a_session_expires_like_the_api_tokens(served: Served) -> None:
    client = served.app(TOKEN_TTL_SECONDS=0)
    signed_in(client, Account.create())
    assert client.get("/portal").status_code == 401


def test_a_form_that_cannot_make_its_act_is_refused_field_by_field(served: Served) -> None:
    client = served.app()
    headers = signed_in(client, Account.create())
    refused = client.post("/web/prepare", json={"act": "File", "inputs": {"kind": "FIRST", "creditCode": "123"}},
                          headers=headers)  # fmt: skip
    is_problem(refused, 400, "invalid-form")
    fields = {e["field"] for e in refused.json["errors"]}
    assert {"files", "creditCode"} <= fields
    assert "统一社会信用代码有误" in refused.json["detail"]
    unknown = client.post("/web/prepare", json={"act": "Mint", "inputs": {}}, headers=headers)
    is_problem(unknown, 400, "invalid-form")
    number = served.firms[0][1]["number"]  # a reason code the select does not offer, posted by hand
    suspend = client.post("/web/prepare", json={"act": "Suspend", "about": number, "inputs": {"reason": "3"}},
                          headers=headers)  # fmt: skip
    body = is_problem(suspend, 400, "invalid-form")
    assert [e["field"] for e in body["errors"]] == ["reason"] and "5（暂扣（行政处罚））" in body["detail"]


def test_preparing_needs_a_session_and_an_act_of_another_signer_is_refused(served: Served) -> None:
    client = served.app()
    anonymous = client.post("/web/prepare", json={"act": "Accept", "about": "0x" + "11" * 32}, headers=csrf_of(client))
    is_problem(anonymous, 401, "not-signed-in")
    headers = signed_in(client, Account.create())
    other = Account.create()
    prepared = client.post("/web/prepare", json={"act": "Withdraw", "about": "0x" + "11" * 32}, headers=headers).json
    typed = prepared["typedData"]
    message = act_message("Withdraw", {"application": "0x" + "11" * 32}, 0, typed["message"]["deadline"])
    signed = sign_act(other, Domain.from_dict(typed["domain"]), "Withdraw", message)
    refused = client.post("/web/acts", json={"signedAct": signed.to_json()}, headers=headers)
    is_problem(refused, 403, "not-your-act")
