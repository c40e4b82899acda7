"""Verification through the API, against a real anvil and the indexer: single certificates (now, at an instant,
from the contract), batches, documents, firms, planners and search."""

from __future__ import annotations

import json

from ledger.documents import firm_subject
from ledger.vocabulary import Grade
from tests.chain_helpers import advance_time, chain_now
from tests.conftest import Served


def iso(seconds: int) -> str:
    import datetime as dt

    return dt.datetime.fromtimestamp(seconds, dt.UTC).isoformat()


def test_a_certificate_with_its_history_and_proof(served: Served) -> None:
    _, request = served.firms[0]
    body = served.client.get(f"/api/v1/certificates/{request['number']}").json
    assert body["status"] == "ACTIVE" and body["statusLabel"] == "有效" and body["valid"] is True
    assert body["kind"] == "FIRM" and body["kindLabel"] == "城乡规划编制单位资质证书"
    assert body["grade"] == Grade(request["grade"]).name
    assert body["holder"]["address"] == served.holder.address
    assert body["holder"]["name"] and body["holder"]["creditCode"]
    assert [act["act"] for act in body["history"]] == ["ISSUE"]
    proof = body["proof"]
    assert proof["source"] == "index" and proof["chainId"] == 31337
    assert proof["contract"] == served.deployed.record.address
    assert proof["txHash"] == body["history"][0]["txHash"]
    assert proof["indexer"]["lagBlocks"] == 0
    print(json.dumps(body, ensure_ascii=False, indent=1))
