"""Rate limits count per client, not per worker (issue 16: X-RateLimit-Remaining jumped 1193, 1195, 1192… because
each worker counted alone): two gunicorn workers, as ``make up`` serves, on the default storage (the file every
worker maps), asked at once from several connections."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests

from tests.gunicorn_server import gunicorn

LIMIT = 120
ACCESS_LOG = ("--access-logfile", "-", "--access-logformat", "served-by %(p)s %(U)s")


def test_two_workers_count_one_client_together_and_refuse_it_at_the_limit(tmp_path: Path) -> None:
    settings = {"RATE_LIMIT_ANONYMOUS": f"{LIMIT}/minute"}
    log = tmp_path / "gunicorn.log"
    with gunicorn(tmp_path, "--workers", "2", *ACCESS_LOG, env=settings) as port, ThreadPoolExecutor(8) as pool:

        def ask(path: str) -> requests.Response:
            return requests.get(f"http://127.0.0.1:{port}{path}", headers={"Connection": "close"}, timeout=30)

        deadline = time.monotonic() + 60
        while len(_workers(log, "/livez")) < 2 and time.monotonic() < deadline:  # /livez is never counted
            list(pool.map(ask, ["/livez"] * 16))
        answers = list(pool.map(ask, ["/problems/rate-limited"] * LIMIT))
        refused = ask("/problems/rate-limited")
    assert len(_workers(log, "/problems/rate-limited")) == 2, "both workers answered"
    assert [answer.status_code for answer in answers] == [200] * LIMIT
    assert {answer.headers["X-RateLimit-Limit"] for answer in answers} == {str(LIMIT)}
    # each answer its own place in the one window: LIMIT-1 … 0, none twice, whichever worker answered
    assert sorted(int(answer.headers["X-RateLimit-Remaining"]) for answer in answers) == list(range(LIMIT))
    assert len({answer.headers["X-RateLimit-Reset"] for answer in answers}) == 1
    assert refused.status_code == 429
    assert refused.headers["Content-Type"] == "application/problem+json"
    assert refused.json()["type"].endswith("/problems/rate-limited")
    assert refused.headers["X-RateLimit-Remaining"] == "0"
    assert refused.headers["X-RateLimit-Reset"] == answers[0].headers["X-RateLimit-Reset"]
    assert 1 <= int(refused.headers["Retry-After"]) <= 60


def _workers(log: Path, path: str) -> set[str]:
    """The process ids the access log says answered ``path``."""
    served = (line.split() for line in log.read_text().splitlines() if line.startswith("served-by "))
    return {pid for _, pid, served_path in served if served_path == path}
