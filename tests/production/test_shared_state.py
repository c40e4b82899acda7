"""Two instances behind nginx act as one API: the rate limits' counts are one (Redis: issue 16 saw
X-RateLimit-Remaining jump as each worker counted alone), and a sign-in nonce, a bearer token and a spent nonce are
good on either instance (the shared secret, and the spent nonces in PostgreSQL), and so are a page's cookie session
and its CSRF token."""

from __future__ import annotations

import itertools
import re
import time
from urllib.parse import quote

import requests
from eth_account import Account

from wallet.instants import timestamp
from wallet.siwe import SiweMessage, sign_in

from .conftest import Production


def test_rate_limit_counts_are_exact_across_both_instances(production: Production) -> None:
    path = f"/api/v1/certificates/{quote(production.numbers[0])}"
    url = f"{production.url}{path}"
    for _attempt in range(2):  # a fixed window may turn over during the run: then once more
        with requests.Session() as session:
            answers = [session.get(url, timeout=10) for _ in range(12)]
        if len({answer.headers["X-RateLimit-Reset"] for answer in answers}) == 1:
            break
    remaining = [int(answer.headers["X-RateLimit-Remaining"]) for answer in answers]
    assert [a - b for a, b in itertools.pairwise(remaining)] == [1] * 11
    log = (production.profile.layout.log_dir / "nginx-access.log").read_text().splitlines()
    log = [line for line in log if f'"GET {path} ' in line][-12:]  # lines are written as requests end, any order
    upstreams = [line.split("upstream=")[1].split()[0] for line in log]
    assert set(upstreams) == {f"127.0.0.1:{port}" for port in production.profile.layout.api_ports}
    assert all(a != b for a, b in itertools.pairwise(upstreams)), "nginx alternates the instances"


def test_a_nonce_from_one_instance_signs_in_on_the_other(production: Production) -> None:
    first, second = production.instance(0), production.instance(1)
    nonce = requests.post(f"{first}/api/v1/auth/nonce", timeout=10).json()
    account = Account.create()
    message = SiweMessage(
        domain=nonce["domain"], address=account.address, uri=nonce["uri"], chain_id=nonce["chainId"],
        nonce=nonce["nonce"], issued_at=timestamp(int(time.time())), statement="Sign in.",
    )  # fmt: skip
    text, signature = sign_in(account, message)
    login = requests.post(f"{second}/api/v1/auth/login", json={"message": text, "signature": signature}, timeout=10)
    assert login.status_code == 200, login.text
    me = requests.get(f"{first}/api/v1/auth/me", headers={"Authorization": f"Bearer {login.json()['token']}"},
                      timeout=10)  # fmt: skip
    assert me.status_code == 200 and me.json()["address"] == account.address
    replay = requests.post(f"{first}/api/v1/auth/login", json={"message": text, "signature": signature}, timeout=10)
    assert replay.status_code == 401 and replay.json()["type"] == "/problems/replayed"


def test_a_page_session_and_its_csrf_token_are_good_on_either_instance(production: Production) -> None:
    """The console's and portal's cookie session and CSRF token are signed with the shared secret: a session
    opened on one instance, with the token its page gave, signs in on the other and is known to both."""
    first, second = production.instance(0), production.instance(1)
    account = Account.create()
    with requests.Session() as browser:  # one cookie jar: the instances share the host, as behind nginx
        csrf = {"X-CSRFToken": csrf_token(browser, first)}
        challenge = browser.post(f"{second}/web/sign-in/challenge", json={"address": account.address}, headers=csrf)
        assert challenge.status_code == 200, challenge.text
        text, signature = sign_in(account, SiweMessage.parse(challenge.json()["message"]))
        opened = browser.post(f"{first}/web/sign-in", json={"message": text, "signature": signature}, headers=csrf)
        assert opened.status_code == 200, opened.text
        portal = browser.get(f"{second}/portal", timeout=10)
        assert portal.status_code == 200 and account.address[:8] in portal.text


def csrf_token(browser: requests.Session, instance: str) -> str:
    """The CSRF token a page gives its session (the page's meta tag)."""
    found = re.search(
        r'<meta name="csrf-token" content="([^"]+)">', browser.get(f"{instance}/notices", timeout=10).text
    )
    assert found is not None
    return found[1]
