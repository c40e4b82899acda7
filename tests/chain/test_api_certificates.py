"""Verification through the API, against a real anvil and the indexer: single certificates (now, at an instant,
from the contract), batches, documents, firms, planners and search."""

from __future__ import annotations

import base64
import datetime as dt
import json

from ledger.certificates.client import certificate_id
from ledger.certificates.vocabulary import Grade
from ledger.chain.localchain import free_port
from tests.api_helpers import is_problem
from tests.chain_helpers import advance_time, chain_now
from tests.conftest import Served


def iso(seconds: int) -> str:
    return dt.datetime.fromtimestamp(seconds, dt.UTC).isoformat()


def test_a_certificate_with_its_history_and_proof(served: Served) -> None:
    _, request = served.firms[0]
    body = served.client.get(f"/api/v1/certificates/{request['number']}").json
    assert body["status"] == "ACTIVE" and body["statusLabel"] == "有效" and body["valid"] is True
    assert body["kind"] == "FIRM" and body["kindLabel"] == "城乡规划编制单位资质证书"
    assert body["grade"] == Grade(request["grade"]).name
    assert body["holder"]["address"] == served.holder.address
    assert body["holder"]["name"] and body["holder"]["creditCode"]
    assert body["documentHash"] == "0x" + request["documentHash"].hex()
    assert [act["act"] for act in body["history"]] == ["ISSUE"]
    proof = body["proof"]
    assert proof["source"] == "index" and proof["chainId"] == 31337
    assert proof["contract"] == served.deployed.record.address
    assert proof["txHash"] == body["history"][0]["txHash"]
    receipt = served.deployed.w3.eth.get_transaction_receipt(proof["txHash"])
    assert receipt["blockNumber"] == proof["blockNumber"]
    assert proof["indexer"]["lagBlocks"] == 0


def test_the_bid_deadline_answer_differs_from_now_after_a_suspension(served: Served) -> None:
    _, request = served.firms[1]
    number = request["number"]
    deadline = chain_now(served.deployed.w3) + 30
    advance_time(served.deployed.w3, 120)
    served.deployed.sender("ministry").transact(served.deployed.registry.functions.suspend(certificate_id(number), 7))
    served.indexer.sync()

    now = served.client.get(f"/api/v1/certificates/{number}").json
    assert now["status"] == "SUSPENDED" and now["statusLabel"] == "暂扣" and now["valid"] is False
    assert [a["act"] for a in now["history"]] == ["ISSUE", "SUSPEND"] and now["history"][1]["reason"] == 7
    then = served.client.get(f"/api/v1/certificates/{number}", query_string={"at": iso(deadline)}).json
    assert then["status"] == "ACTIVE" and then["valid"] is True and len(then["history"]) == 1
    before = served.client.get(f"/api/v1/certificates/{number}", query_string={"at": "2000-01-01T00:00:00+08:00"})
    is_problem(before, 404, "not-yet-issued")


def test_source_chain_reads_the_contract_even_before_the_index_catches_up(served: Served) -> None:
    _, request = served.firms[2]
    number = request["number"]
    served.deployed.sender("ministry").transact(served.deployed.registry.functions.revoke(certificate_id(number), 3))
    indexed = served.client.get(f"/api/v1/certificates/{number}").json
    assert indexed["status"] == "ACTIVE" and indexed["proof"]["indexer"]["lagBlocks"] == 0  # not synced yet
    chain = served.client.get(f"/api/v1/certificates/{number}", query_string={"source": "chain"}).json
    assert chain["status"] == "REVOKED" and chain["statusLabel"] == "撤销" and chain["valid"] is False
    assert chain["proof"]["source"] == "chain" and chain["history"] is None
    assert chain["proof"]["blockNumber"] == served.deployed.w3.eth.block_number
    assert chain["documentHash"] == indexed["documentHash"]


def test_unknown_and_malformed_requests_are_problems(served: Served) -> None:
    is_problem(served.client.get("/api/v1/certificates/自资规甲0000000"), 404, "certificate-not-found")
    naive = served.client.get(f"/api/v1/certificates/{served.firms[0][1]['number']}?at=2026-01-01T00:00:00")
    body = is_problem(naive, 400, "invalid-request")
    assert body["errors"][0]["field"] == "at"
    is_problem(served.client.get("/api/v1/certificates/x?source=ledger"), 400, "invalid-request")
    is_problem(served.client.get("/api/v1/certificates?cursor=bm90LWEtY3Vyc29y"), 400, "invalid-cursor")


def test_without_a_node_no_verdict_is_given_from_the_database_alone(served: Served) -> None:
    client = served.app(LEDGER_RPC_URL=f"http://127.0.0.1:{free_port()}")
    number = served.firms[0][1]["number"]
    is_problem(client.get(f"/api/v1/certificates/{number}?source=chain"), 503, "chain-unavailable")
    is_problem(client.get(f"/api/v1/certificates/{number}"), 503, "cannot-verify")
    is_problem(client.post("/api/v1/verify", json={"numbers": [number]}), 503, "cannot-verify")


def test_a_batch_answers_every_item_in_order(served: Served) -> None:
    numbers = [request["number"] for _, request in served.firms]
    served.deployed.sender("ministry").transact(
        served.deployed.registry.functions.revoke(certificate_id(numbers[1]), 3)
    )
    served.indexer.sync()
    items = [numbers[0], "不存在的编号", numbers[1], served.planners[0][1]["number"]]
    body = served.client.post("/api/v1/verify", json={"numbers": items}).json
    results = body["results"]
    assert [r["query"] for r in results] == items
    assert [r["found"] for r in results] == [True, False, True, True]
    assert results[0]["valid"] and results[3]["kind"] == "PLANNER"
    assert results[1]["error"] == "certificate-not-found"
    assert results[2]["status"] == "REVOKED" and results[2]["valid"] is False
    assert body["proof"]["indexer"]["lagBlocks"] == 0

    hashes = ["0x" + request["documentHash"].hex() for _, request in served.firms[:2]] + ["0x" + "ab" * 32]
    by_hash = served.client.post("/api/v1/verify", json={"documentHashes": hashes}).json["results"]
    assert [r["number"] for r in by_hash] == [numbers[0], numbers[1], None]


def test_a_number_pasted_from_a_pdf_or_a_spreadsheet_finds_its_certificate(served: Served) -> None:
    """Full-width digits, a zero-width space, blanks: folded as printed (NFKC), never a different certificate."""
    number = served.firms[0][1]["number"]
    full_width = "".join(chr(ord(c) + 0xFEE0) if c.isdigit() else c for c in number)
    for pasted in (full_width, number + "\u200b", f"  {number} ", number.lower()):
        body = served.client.get(f"/api/v1/certificates/{pasted}").json
        assert body["number"] == number, pasted
    results = served.client.post("/api/v1/verify", json={"numbers": [full_width, number + " "]}).json["results"]
    assert [(r["query"], r["found"], r["number"]) for r in results] == [
        (full_width, True, number),
        (number + " ", True, number),
    ]


def test_a_batch_at_an_instant_answers_for_that_instant(served: Served) -> None:
    numbers = [request["number"] for _, request in served.firms]
    before = chain_now(served.deployed.w3)
    advance_time(served.deployed.w3, 60)
    served.deployed.sender("ministry").transact(
        served.deployed.registry.functions.suspend(certificate_id(numbers[0]), 5)
    )
    served.indexer.sync()
    body = served.client.post("/api/v1/verify", json={"numbers": numbers[:2], "at": iso(before)}).json
    assert [r["status"] for r in body["results"]] == ["ACTIVE", "ACTIVE"]
    now = served.client.post("/api/v1/verify", json={"numbers": numbers[:2]}).json
    assert [r["status"] for r in now["results"]] == ["SUSPENDED", "ACTIVE"]


def test_batch_limits_and_shape(served: Served) -> None:
    too_many = served.client.post("/api/v1/verify", json={"numbers": [f"N{i}" for i in range(1001)]})
    is_problem(too_many, 413, "batch-too-large")
    just_enough = served.client.post("/api/v1/verify", json={"numbers": [f"N{i}" for i in range(1000)]})
    assert just_enough.status_code == 200 and len(just_enough.json["results"]) == 1000
    is_problem(served.client.post("/api/v1/verify", json={}), 400, "invalid-request")
    both = served.client.post("/api/v1/verify", json={"numbers": ["a"], "documentHashes": ["0x" + "00" * 32]})
    is_problem(both, 400, "invalid-request")
    bad_hash = served.client.post("/api/v1/verify", json={"documentHashes": ["0x12"]})
    assert is_problem(bad_hash, 400, "invalid-request")["errors"][0]["field"].startswith("documentHashes")
    not_json = served.client.post("/api/v1/verify", data="numbers=1", content_type="text/plain")
    is_problem(not_json, 415, "unsupported-media-type")  # issue 16: a body is announced as JSON
    malformed = served.client.post("/api/v1/verify", data="numbers=1", content_type="application/json")
    is_problem(malformed, 400, "malformed-json")


def test_a_document_is_checked_against_the_hash_on_chain_with_personal_fields_hidden(served: Served) -> None:
    document, request = served.firms[0]
    full = served.client.post("/api/v1/verify/document", json=document.to_json()).json
    assert full["matches"] is True and full["status"] == "ACTIVE" and full["hiddenFields"] == []
    hidden = served.client.post("/api/v1/verify/document", json=document.hiding().to_json()).json
    assert hidden["matches"] is True and hidden["hiddenFields"] == sorted(document.personal)
    forged = document.to_json()
    forged["public"]["scope"] = forged["public"]["scope"] + "（含城市设计）"
    check = served.client.post("/api/v1/verify/document", json=forged).json
    assert check["matches"] is False and check["onChainHash"] == "0x" + request["documentHash"].hex()
    broken = served.client.post("/api/v1/verify/document", json={"schema": "no-such-schema", "public": {}})
    is_problem(broken, 400, "invalid-document")


def test_a_firm_lists_its_certificates_and_planners_without_personal_data(served: Served) -> None:
    _, request = served.firms[0]
    code = served.client.get(f"/api/v1/certificates/{request['number']}").json["holder"]["creditCode"]
    response = served.client.get(f"/api/v1/firms/{code}")
    body = response.json
    employed = sorted(p["number"] for _, p, _ in served.planners if p["employer"] == request["subject"])
    assert body["creditCode"] == code and body["currentGrade"] == Grade(request["grade"]).name
    assert [c["number"] for c in body["certificates"]] == [request["number"]]
    assert body["plannerCount"] == len(employed) > 0
    assert [p["registrationNumber"] for p in body["planners"]] == employed
    assert not any(identity in response.text for identity in served.identity_numbers)
    is_problem(served.client.get("/api/v1/firms/911100000000000000"), 404, "firm-not-found")


def test_a_planner_shows_his_employer_and_history_but_never_his_identity_number(served: Served) -> None:
    _, request, _ = served.planners[0]
    response = served.client.get(f"/api/v1/planners/{request['number']}")
    body = response.json
    assert body["status"] == "ACTIVE" and body["registration"]["number"] == request["number"]
    assert body["employer"]["subject"] == "0x" + request["employer"].hex() and body["employer"]["creditCode"]
    assert len(body["employment"]) == 1 and body["employment"][0]["until"] is None
    assert not any(identity in response.text for identity in served.identity_numbers)
    is_problem(served.client.get("/api/v1/planners/注规000"), 404, "planner-not-found")


def test_search_filters_and_pages_with_a_cursor(served: Served) -> None:
    grade_a = served.client.get("/api/v1/certificates", query_string={"grade": "A", "kind": "FIRM"}).json
    expected = sorted(r["number"] for _, r in served.firms if r["grade"] == Grade.A)
    assert [c["number"] for c in grade_a["items"]] == expected and grade_a["next"] is None
    seen, cursor = [], None
    while True:
        page = served.client.get(
            "/api/v1/certificates",
            query_string={"kind": "PLANNER", "limit": 3, **({"cursor": cursor} if cursor else {})},
        ).json
        seen += [c["number"] for c in page["items"]]
        cursor = page["next"]
        if cursor is None:
            break
    assert seen == sorted(r["number"] for _, r, _ in served.planners)
    first = served.client.get("/api/v1/certificates", query_string={"kind": "PLANNER", "limit": 3}).json["next"]
    for other in ({"kind": "FIRM", "limit": 3}, {"kind": "PLANNER", "limit": 4}):  # another query's cursor
        body = is_problem(served.client.get("/api/v1/certificates", query_string={**other, "cursor": first}), 400,
                          "invalid-cursor")  # fmt: skip
        assert "another query" in body["detail"]
    forged = base64.urlsafe_b64encode(json.dumps({"after": "注规"}).encode()).decode()  # the old, unsigned form
    is_problem(served.client.get("/api/v1/certificates", query_string={"cursor": forged}), 400, "invalid-cursor")
    name = served.client.get(f"/api/v1/certificates/{served.firms[0][1]['number']}").json["holder"]["name"]
    by_name = served.client.get("/api/v1/certificates", query_string={"name": name[:4]}).json["items"]
    assert served.firms[0][1]["number"] in [c["number"] for c in by_name]
    is_problem(served.client.get("/api/v1/certificates?limit=0"), 400, "invalid-request")


def test_an_instant_must_be_a_date_time_string_not_unix_seconds(served: Served) -> None:
    """Found by schemathesis: a bare number for `at` was read as unix seconds (1970) instead of refused."""
    body = is_problem(served.client.post("/api/v1/verify", json={"at": 0.0, "numbers": []}), 400, "invalid-request")
    assert any(error["field"] == "at" for error in body["errors"])
    search = is_problem(served.client.get("/api/v1/certificates?expiringBefore=0.35"), 400, "invalid-request")
    assert any(error["field"] == "expiringBefore" for error in search["errors"])
    assert served.client.get("/api/v1/certificates?expiringBefore=2030-01-01T00:00:00%2B08:00").status_code == 200


def test_an_instant_beyond_the_calendar_and_a_body_nested_too_deep_are_refused_not_failed(served: Served) -> None:
    """Found by an integrator (issue 16): both answered 500."""
    number = served.firms[0][1]["number"]
    late = "9999-12-31T23:59:59-12:00"  # year 10000 in UTC
    body = is_problem(served.client.get(f"/api/v1/certificates/{number}?at={late}"), 400, "invalid-request")
    assert any(error["field"] == "at" for error in body["errors"])
    is_problem(served.client.post("/api/v1/verify", json={"at": late, "numbers": [number]}), 400, "invalid-request")
    deep = "[" * 1000 + "]" * 1000
    for path in ("/api/v1/verify", "/api/v1/acts"):
        response = served.client.post(path, data=deep, content_type="application/json")
        assert response.status_code == 400 and response.mimetype == "application/problem+json", path


def test_an_instant_before_the_import_is_answered_from_the_imported_register(served: Served) -> None:
    """A bid deadline inside a legacy certificate's validity window but before the import is not a forgery: the
    answer is the imported record, saying so; before the window began it was not issued; an unknown number stays
    unknown."""
    _, request = served.firms[0]
    number = request["number"]
    deadline = request["validFrom"] + 30 * 86400  # a month into its window, years before it reached the chain
    body = served.client.get(f"/api/v1/certificates/{number}", query_string={"at": iso(deadline)}).json
    assert (body["status"], body["valid"], body["basis"]) == ("ACTIVE", True, "imported-register")
    recorded = served.client.get(f"/api/v1/certificates/{number}").json
    assert recorded["basis"] == "chain" and body["recordedAt"] == recorded["history"][0]["at"] == recorded["recordedAt"]
    assert body["history"] == [] and body["imported"] is True

    early = served.client.get(f"/api/v1/certificates/{number}", query_string={"at": iso(request["validFrom"] - 86400)})
    is_problem(early, 404, "not-yet-issued")
    results = served.client.post(
        "/api/v1/verify", json={"numbers": [number, "自资规甲0000000"], "at": iso(deadline)}
    ).json["results"]
    assert (results[0]["found"], results[0]["valid"], results[0]["basis"]) == (True, True, "imported-register")
    assert (results[1]["found"], results[1]["error"]) == (False, "certificate-not-found")
    before = served.client.post("/api/v1/verify", json={"numbers": [number], "at": iso(request["validFrom"] - 86400)})
    assert before.json["results"][0] | {} == {**before.json["results"][0], "found": True, "error": "not-yet-issued"}

    beijing = dt.datetime.fromtimestamp(deadline, dt.timezone(dt.timedelta(hours=8))).strftime("%Y-%m-%dT%H:%M")
    page = served.client.get(f"/c/{number}", query_string={"at": beijing}).get_data(as_text=True)
    assert "该时刻早于本证书上链" in page and "证书有效" in page and beijing.replace("T", " ") in page
    assert served.client.get(f"/c/{number}", query_string={"at": "next tuesday"}).status_code == 400
