"""Staleness that cannot be misread: on a chain of its own that the test stops, every answer says within seconds
that the node is out of reach, ``maxAge`` refuses a verdict, the page shows its banner, and a certificate whose
verdict was never confirmed is not judged at all; an idle chain that still answers is never called stale."""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from flask.testing import FlaskClient
from sqlalchemy import Engine

from api import create_app
from ledger.chain.artifacts import load_artifact
from ledger.chain.deployment import ensure_demo_deployment
from ledger.chain.localchain import LocalChain, free_port
from ledger.wiring import Ledger
from tests.api_helpers import is_problem
from tests.conftest import Deployed, api_config
from tests.register_helpers import firm_issue, register_for

SEEN_WITHIN = 2.0  # seconds without an answer from the node before answers say so (the server's default is 3)


@dataclass
class Followed:
    """A chain of this test's own, its register indexed by an indexer that polls it twice a second (as
    ``ledger index`` does once a second), and the API over it."""

    chain: LocalChain
    client: FlaskClient
    numbers: list[str]


@pytest.fixture
def followed(tmp_path: Path, engine: Engine) -> Iterator[Followed]:
    chain = LocalChain(free_port(), tmp_path / "anvil.json").start()
    ledger = Ledger(chain.url, tmp_path / "deployment.json", engine=engine)
    ensure_demo_deployment(ledger.w3, ledger.record_path, load_artifact())
    deployed = Deployed(ledger)
    requests = [firm_issue(row)[1] for row in register_for(ledger.w3, firms=3).firms]
    deployed.sender("ministry").transact(ledger.registry.functions.issueBatch(requests))
    indexer = deployed.indexer(engine)
    indexer.sync()
    stop = threading.Event()

    def follow() -> None:
        while not stop.wait(0.5):
            with contextlib.suppress(OSError):  # the node is gone: the indexer waits for it, as ledger index does
                indexer.sync()

    thread = threading.Thread(target=follow, daemon=True)
    thread.start()
    client = create_app({**api_config(deployed, engine), "CHAIN_SEEN_WITHIN_SECONDS": SEEN_WITHIN}).test_client()
    try:
        yield Followed(chain, client, [request["number"] for request in requests])
    finally:
        stop.set()
        thread.join(timeout=10)
        chain.stop()


def test_an_idle_chain_that_answers_is_never_reported_stale(followed: Followed) -> None:
    number = followed.numbers[0]
    time.sleep(SEEN_WITHIN * 2)  # nothing is mined: the index's last write grows old, its view of the chain does not
    body = followed.client.get(f"/api/v1/certificates/{number}").json
    indexer = body["proof"]["indexer"]
    assert indexer["chainReachable"] is True and indexer["lagSeconds"] < SEEN_WITHIN
    assert body["valid"] is True
    assert followed.client.get(f"/api/v1/certificates/{number}", query_string={"maxAge": 5}).status_code == 200
    assert "链节点暂不可达" not in followed.client.get(f"/c/{number}").get_data(as_text=True)


def test_a_lost_node_is_said_within_seconds_and_max_age_refuses(followed: Followed) -> None:
    confirmed, never_asked = followed.numbers[0], followed.numbers[1]
    assert followed.client.get(f"/api/v1/certificates/{confirmed}").json["valid"] is True
    assert followed.client.post("/api/v1/verify", json={"numbers": [confirmed]}).status_code == 200
    followed.chain.stop()
    stopped = time.monotonic()
    while followed.client.get(f"/api/v1/certificates/{confirmed}").json["proof"]["indexer"]["chainReachable"]:
        assert time.monotonic() - stopped < 5, "answers still say the chain is reachable 5 s after it stopped"
        time.sleep(0.2)

    body = followed.client.get(f"/api/v1/certificates/{confirmed}").json  # the verdict confirmed before the loss
    assert body["valid"] is True and body["proof"]["indexer"]["lagSeconds"] >= SEEN_WITHIN
    batch = followed.client.post("/api/v1/verify", json={"numbers": [confirmed]}).json
    assert batch["proof"]["indexer"]["chainReachable"] is False
    page = followed.client.get(f"/c/{confirmed}").get_data(as_text=True)
    assert "链节点暂不可达，以下为" in page and "秒前的记录" in page

    for refused in (
        followed.client.get(f"/api/v1/certificates/{confirmed}", query_string={"maxAge": 1}),
        followed.client.post("/api/v1/verify", json={"numbers": [confirmed], "maxAge": 1}),
        followed.client.get(f"/api/v1/certificates/{never_asked}"),  # never confirmed: no verdict at all
    ):
        assert "cannot-verify" in is_problem(refused, 503, "cannot-verify")["type"]
    unverifiable = followed.client.get(f"/c/{never_asked}")
    assert unverifiable.status_code == 503 and "暂无法核验" in unverifiable.get_data(as_text=True)
