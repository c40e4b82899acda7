"""Two instances behind nginx act as one API: the rate limits' counts are one (Redis: issue 16 saw
X-RateLimit-Remaining jump as each worker counted alone), and a sign-in nonce, a bearer token and a spent nonce are
good on either instance (the shared secret, and the spent nonces in PostgreSQL)."""

from __future__ import annotations

import itertools
import time
from urllib.parse import quote

import requests
from eth_account import Account

from wallet.instants import timestamp
from wallet.siwe import SiweMessage, sign_in

from .conftest import Production


def test_rate_limit_counts_are_exact_across_both_instances(production: Production) -> None:
    url = f"{production.url}/api/v1/certificates/{quote(production.numbers[0])}"
    for _attempt in range(2):  # a fixed window may turn over during the run: then once more
        with requests.Session() as session:
            answers = [session.get(url, timeout=10) for _ in range(12)]
        if len({answer.headers["X-RateLimit-Reset"] for answer in answers}) == 1:
            break
    remaining = [int(answer.headers["X-RateLimit-Remaining"]) for answer in answers]
    assert [a - b for a, b in itertools.pairwise(remaining)] == [1] * 11
    log = (production.profile.layout.log_dir / "nginx-access.log").read_text().splitlines()[-12:]
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
