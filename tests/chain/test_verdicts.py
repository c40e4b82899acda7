"""Verdicts the chain confirms: a row of the read model changed behind the indexer's back (each field a verdict rests
on, one test each) is never served as the truth by the lookup, the batch, the document check or the page; the
disagreement is logged, counted and reported by /readyz until the read model is rebuilt."""

from __future__ import annotations

import datetime as dt
import logging
import time
from typing import Any

import pytest
from click.testing import CliRunner
from sqlalchemy import text

from ledger import cli
from ledger.certificates import verdicts
from ledger.certificates.client import certificate_id
from ledger.errors import ChainUnavailable
from tests.api_helpers import is_problem
from tests.conftest import Served


def forge(served: Served, number: str, **columns: Any) -> None:
    """What a database administrator could do: one UPDATE of the certificates table."""
    assignments = ", ".join(f"{column} = :{column}" for column in columns)
    with served.engine.begin() as connection:
        connection.execute(
            text(f"UPDATE certificates SET {assignments} WHERE number = :number"), {**columns, "number": number}
        )


def revoked_firm(served: Served) -> str:
    number = served.firms[2][1]["number"]
    served.deployed.sender("ministry").transact(served.deployed.registry.functions.revoke(certificate_id(number), 3))
    served.indexer.sync()
    return number


def assert_disputed(served: Served, number: str, field: str, caplog: pytest.LogCaptureFixture) -> dict[str, Any]:
    """Every public answer gives the contract's verdict and names the field in dispute; returns the lookup."""
    chain = served.client.get(f"/api/v1/certificates/{number}", query_string={"source": "chain"}).json
    body = served.client.get(f"/api/v1/certificates/{number}").json
    assert body["disputed"] is not None, body
    assert [d["field"] for d in body["disputed"]["fields"]] == [field]
    for key in ("status", "grade", "documentHash", "validity", "employer"):
        assert body[key] == chain[key], key
    # valid at the answer's instant (the wall clock), from the contract's window: the session's chain clock may run
    # ahead of the wall clock (other tests move it), and source=chain judges at the chain's
    starts = dt.datetime.fromisoformat(chain["validity"]["validFrom"])
    assert body["valid"] == (body["status"] == "ACTIVE" and starts <= dt.datetime.fromisoformat(body["at"]))
    assert body["holder"]["address"] == chain["holder"]["address"]
    assert body["proof"]["confirmedBlock"] == body["proof"]["indexer"]["indexedBlock"]

    (result,) = served.client.post("/api/v1/verify", json={"numbers": [number]}).json["results"]
    assert (result["status"], result["valid"], result["grade"]) == (body["status"], body["valid"], body["grade"])
    assert [d["field"] for d in result["disputed"]["fields"]] == [field]

    search = served.client.get("/api/v1/certificates", query_string={"kind": body["kind"], "limit": 200}).json
    (listed,) = [item for item in search["items"] if item["number"] == number]
    assert (listed["status"], listed["valid"], listed["grade"]) == (body["status"], body["valid"], body["grade"])
    assert [d["field"] for d in listed["disputed"]["fields"]] == [field]
    if body["kind"] == "FIRM":
        code = body["holder"]["creditCode"]
        (mine,) = [c for c in served.client.get(f"/api/v1/firms/{code}").json["certificates"] if c["number"] == number]
        assert (mine["status"], mine["disputed"] is not None) == (chain["status"], True)
        assert 'data-status="DISPUTED"' in served.client.get(f"/f/{code}").get_data(as_text=True)
    else:
        planner = served.client.get(f"/api/v1/planners/{number}").json
        (mine,) = [r for r in planner["registrations"] if r["number"] == number]
        assert (mine["status"], mine["disputed"] is not None) == (chain["status"], True)
        assert planner["employer"]["subject"] == chain["employer"]["subject"]

    page = served.client.get(f"/c/{number}").get_data(as_text=True)
    assert 'data-status="DISPUTED"' in page and "记录不一致" in page
    assert "证书有效" not in page and "NOT valid" not in page  # a warning instead of a verdict, either way

    assert any(
        number in r.getMessage() and field in r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR
    )
    ready = is_problem(served.client.get("/readyz"), 503, "index-disputed")
    assert [(d["number"], d["fields"]) for d in ready["disputes"]] == [(number, [field])]
    return body


def test_a_forged_status_is_not_served(served: Served, caplog: pytest.LogCaptureFixture) -> None:
    number = revoked_firm(served)
    forge(served, number, status=1)
    body = assert_disputed(served, number, "status", caplog)
    assert body["status"] == "REVOKED" and body["valid"] is False
    assert body["disputed"]["fields"][0] | {} == {"field": "status", "index": "ACTIVE", "chain": "REVOKED"}


def test_a_status_outside_the_vocabulary_is_a_dispute_not_a_500(
    served: Served, caplog: pytest.LogCaptureFixture
) -> None:
    number = revoked_firm(served)
    forge(served, number, status=0)
    body = assert_disputed(served, number, "status", caplog)
    assert body["disputed"]["fields"][0]["index"] == "NONE"


def test_a_forged_validity_window_is_not_served(served: Served, caplog: pytest.LogCaptureFixture) -> None:
    number = served.firms[1][1]["number"]
    forge(served, number, valid_until=2_000_000_000 + 10**8)
    assert_disputed(served, number, "validUntil", caplog)


def test_a_forged_start_of_validity_is_not_served(served: Served, caplog: pytest.LogCaptureFixture) -> None:
    number = served.firms[1][1]["number"]
    forge(served, number, valid_from=4_000_000_000)  # not yet valid, says the forged row
    body = assert_disputed(served, number, "validFrom", caplog)
    assert body["valid"] is True


def test_a_forged_holder_is_not_served(served: Served, caplog: pytest.LogCaptureFixture) -> None:
    number = served.firms[0][1]["number"]
    forge(served, number, holder="0x000000000000000000000000000000000000dEaD")
    body = assert_disputed(served, number, "holder", caplog)
    assert body["holder"]["address"] == served.holder.address


def test_a_forged_document_hash_is_not_served_nor_matched(served: Served, caplog: pytest.LogCaptureFixture) -> None:
    document, request = served.firms[1]
    number = request["number"]
    forged = document.public | {"name": "某某规划设计有限公司"}
    forge(served, number, document_hash="0x" + "ab" * 32)
    assert_disputed(served, number, "documentHash", caplog)
    genuine = served.client.post("/api/v1/verify/document", json=document.to_json()).json
    assert genuine["matches"] is True and genuine["onChainHash"] == "0x" + request["documentHash"].hex()
    assert genuine["disputed"]["fields"][0]["field"] == "documentHash"
    altered = served.client.post("/api/v1/verify/document", json=document.to_json() | {"public": forged}).json
    assert altered["matches"] is False


def test_a_forged_grade_is_not_served(served: Served, caplog: pytest.LogCaptureFixture) -> None:
    number, grade = served.firms[1][1]["number"], served.firms[1][1]["grade"]
    forge(served, number, grade=1 if grade == 2 else 2)
    body = assert_disputed(served, number, "grade", caplog)
    assert body["grade"] == ("A" if grade == 1 else "B")


def test_a_forged_employer_is_not_served(served: Served, caplog: pytest.LogCaptureFixture) -> None:
    _, request, _ = served.planners[0]
    number = request["number"]
    other = next(r for _, r in served.firms if r["subject"] != request["employer"])
    forge(served, number, employer="0x" + other["subject"].hex())
    body = assert_disputed(served, number, "employer", caplog)
    assert body["employer"]["subject"] == "0x" + request["employer"].hex()
    code = next(d.public["creditCode"] for d, r in served.firms if r is other)
    registered = served.client.get(f"/api/v1/firms/{code}").json["planners"]
    assert number not in [p["registrationNumber"] for p in registered]  # the forged row registers no one there


def test_a_deleted_row_is_answered_from_the_chain(served: Served, caplog: pytest.LogCaptureFixture) -> None:
    number = revoked_firm(served)
    with served.engine.begin() as connection:
        connection.execute(text("DELETE FROM certificates WHERE number = :number"), {"number": number})
    body = served.client.get(f"/api/v1/certificates/{number}").json
    assert body["status"] == "REVOKED" and body["valid"] is False
    assert body["disputed"]["fields"] == [{"field": "record", "index": None, "chain": "present"}]
    (result,) = served.client.post("/api/v1/verify", json={"numbers": [number]}).json["results"]
    assert result["found"] is True and result["status"] == "REVOKED" and result["disputed"] is not None
    is_problem(served.client.get("/readyz"), 503, "index-disputed")
    past = served.client.get(f"/api/v1/certificates/{number}", query_string={"at": "2026-01-01T00:00:00+08:00"})
    is_problem(past, 503, "cannot-verify")  # its history is gone from the read model: no answer for an instant


def test_a_node_that_fails_a_call_is_unavailable_not_a_missing_certificate(served: Served) -> None:
    """Only the contract's revert says a certificate is absent; the node's own failure (here: a block it does not
    have) is ChainUnavailable, never a None to be cached."""
    registry, w3 = served.deployed.registry, served.deployed.w3
    known = "0x" + certificate_id(served.firms[0][1]["number"]).hex()
    unknown = "0x" + certificate_id("自资规甲0000000").hex()
    readings = verdicts.read(w3, registry, [known, unknown], w3.eth.block_number)
    assert readings[known] is not None and readings[unknown] is None
    with pytest.raises(ChainUnavailable):
        verdicts.read(w3, registry, [known], w3.eth.block_number + 1_000)


def test_kept_readings_are_dropped_after_a_long_absence(served: Served) -> None:
    cache = verdicts.VerdictCache(lambda: served.deployed.w3, lambda: served.deployed.registry)
    known = "0x" + certificate_id(served.firms[0][1]["number"]).hex()
    block = served.deployed.w3.eth.block_number
    first = cache.confirm([known], block)[known]
    cache._scanned = block - verdicts.MAX_SCAN - 1  # as if the worker had been idle that long
    again = cache.confirm([known], block)[known]
    assert again == first and again is not first  # read afresh, not kept across an unscanned range


def test_a_row_the_chain_never_wrote_is_not_found(served: Served, caplog: pytest.LogCaptureFixture) -> None:
    number = served.firms[0][1]["number"]
    with served.engine.begin() as connection:
        connection.execute(
            text("UPDATE certificates SET number = :new WHERE number = :number"),
            {"new": number + "9", "number": number},
        )
    is_problem(served.client.get(f"/api/v1/certificates/{number}9"), 404, "certificate-not-found")
    (result,) = served.client.post("/api/v1/verify", json={"numbers": [number + "9"]}).json["results"]
    assert result["found"] is False
    assert any(number + "9" in r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR)


def test_readyz_recovers_once_the_read_model_agrees_again(served: Served, caplog: pytest.LogCaptureFixture) -> None:
    number = revoked_firm(served)
    forge(served, number, status=1)
    assert served.client.get(f"/api/v1/certificates/{number}").json["disputed"] is not None
    is_problem(served.client.get("/readyz"), 503, "index-disputed")
    forge(served, number, status=3)
    ready = served.client.get("/readyz")
    assert ready.status_code == 200 and ready.json["verdicts"]["disputesSeen"] >= 1
    assert served.client.get(f"/api/v1/certificates/{number}").json["disputed"] is None


def test_an_agreeing_answer_is_confirmed_without_asking_the_node_again(served: Served) -> None:
    """The second lookup of a certificate no log has named since is answered from the cached reading."""
    number = served.firms[0][1]["number"]
    first = served.client.get(f"/api/v1/certificates/{number}").json
    assert first["disputed"] is None and first["proof"]["confirmedBlock"] == first["proof"]["indexer"]["indexedBlock"]
    cache = served.client.application.extensions["ledger"].verdicts
    reached = cache.reached_at
    assert served.client.get(f"/api/v1/certificates/{number}").json["status"] == "ACTIVE"
    assert cache.reached_at == reached
    served.deployed.sender("ministry").transact(served.deployed.registry.functions.suspend(certificate_id(number), 7))
    served.indexer.sync()
    assert served.client.get(f"/api/v1/certificates/{number}").json["status"] == "SUSPENDED"
    assert cache.reached_at != reached


def test_a_kept_answer_is_the_answer_built_afresh_until_its_row_is_forged(
    served: Served, caplog: pytest.LogCaptureFixture
) -> None:
    """The busiest request sends a kept answer's JSON with only `at` and `proof.indexer` made afresh: the same
    document as one built from nothing, and a row forged after it was kept is caught on the next lookup."""
    number = served.firms[1][1]["number"]
    ledger = served.client.application.extensions["ledger"]
    served.client.get(f"/api/v1/certificates/{number}")
    assert number in ledger.kept_answers
    kept = served.client.get(f"/api/v1/certificates/{number}").json
    ledger.kept_answers.clear()
    built = served.client.get(f"/api/v1/certificates/{number}").json
    moving = ("at", "lagSeconds", "chainReachable", "seenAt")
    assert {k: v for k, v in kept.items() if k not in moving} | {"proof": None} == {
        k: v for k, v in built.items() if k not in moving
    } | {"proof": None}
    assert {k: v for k, v in kept["proof"]["indexer"].items() if k not in moving} == {
        k: v for k, v in built["proof"]["indexer"].items() if k not in moving
    }
    assert {**kept["proof"], "indexer": None} == {**built["proof"], "indexer": None}
    forge(served, number, grade=2 if kept["grade"] == "A" else 1)
    assert_disputed(served, number, "grade", caplog)


def test_a_kept_batch_result_is_the_result_built_afresh_until_its_row_or_the_chain_moves(
    served: Served, caplog: pytest.LogCaptureFixture
) -> None:
    """A batch's results are kept per certificate and given again while its row, its reading and the side of its
    validity window hold: the same results as built from nothing. A row forged after it was kept is judged again
    on the next batch; an act on chain changes the result at once, even if its row is put back as it was kept."""
    forged, revoked, restored = (served.firms[i][1]["number"] for i in (1, 2, 3))
    ledger = served.client.application.extensions["ledger"]

    def batch() -> list[dict[str, Any]]:
        return served.client.post("/api/v1/verify", json={"numbers": [forged, revoked, restored]}).json["results"]

    first = batch()
    assert {"0x" + certificate_id(n).hex() for n in (forged, revoked, restored)} <= ledger.kept_results.keys()
    kept = batch()
    ledger.kept_results.clear()
    assert kept == batch() == first
    with served.engine.connect() as connection:
        as_kept = connection.execute(text("SELECT * FROM certificates WHERE number = :n"), {"n": restored}).one()
    forge(served, forged, grade=2 if first[0]["grade"] == "A" else 1)
    ministry, registry = served.deployed.sender("ministry"), served.deployed.registry
    for number in (revoked, restored):
        ministry.transact(registry.functions.revoke(certificate_id(number), 3))
    served.indexer.sync()
    forge(served, restored, **{k: v for k, v in as_kept._mapping.items() if k != "number"})
    after = batch()
    assert [d["field"] for d in after[0]["disputed"]["fields"]] == ["grade"] and after[0]["grade"] == first[0]["grade"]
    assert (after[1]["status"], after[1]["valid"], after[1]["disputed"]) == ("REVOKED", False, None)
    assert after[2]["status"] == "REVOKED" and [d["field"] for d in after[2]["disputed"]["fields"]] == ["status"]
    assert batch()[0]["disputed"] is not None  # a disputed result is never kept: judged (and logged) every time


def forge_history(served: Served, number: str, statement: str) -> None:
    """What a database administrator could do to the past: one statement on a certificate's history rows."""
    with served.engine.begin() as connection:
        cid = connection.execute(text("SELECT id FROM certificates WHERE number = :n"), {"n": number}).scalar_one()
        connection.execute(text(statement), {"id": cid})


def revoked_at(served: Served, number: str) -> tuple[int, str]:
    """The revocation's block time, and an instant after it, as the API takes ``at``."""
    with served.engine.connect() as connection:
        moment = connection.execute(
            text("SELECT block_time FROM certificate_events WHERE act = 'REVOKE' ORDER BY block_number DESC LIMIT 1")
        ).scalar_one()
    return moment, dt.datetime.fromtimestamp(moment + 1, dt.UTC).isoformat()


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE certificate_events SET block_time = block_time + 10 * 365 * 86400 "
        "WHERE certificate_id = :id AND act = 'REVOKE'",  # the revocation moved past the bid deadline
        "DELETE FROM certificate_events WHERE certificate_id = :id AND act = 'REVOKE'",  # or deleted
    ],
    ids=["moved", "deleted"],
)
def test_a_forged_history_is_not_served_at_an_instant(
    served: Served, caplog: pytest.LogCaptureFixture, statement: str
) -> None:
    number = revoked_firm(served)
    _, after = revoked_at(served, number)
    genuine = served.client.get(f"/api/v1/certificates/{number}", query_string={"at": after}).json
    assert (genuine["status"], genuine["valid"], genuine["disputed"]) == ("REVOKED", False, None)

    forge_history(served, number, statement)
    body = served.client.get(f"/api/v1/certificates/{number}", query_string={"at": after}).json
    assert (body["status"], body["valid"]) == ("REVOKED", False)  # the registry's history, not the forged one
    (disputed,) = body["disputed"]["fields"]
    assert disputed["field"] == "history" and disputed["chain"]["rows"] == disputed["index"]["rows"] + (
        1 if "DELETE" in statement else 0
    )
    assert "REVOKE" in [entry["act"] for entry in body["history"]]
    (result,) = served.client.post("/api/v1/verify", json={"numbers": [number], "at": after}).json["results"]
    assert (result["status"], result["valid"]) == ("REVOKED", False)
    assert result["disputed"]["fields"][0]["field"] == "history"
    assert any(number in r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR)
    ready = is_problem(served.client.get("/readyz"), 503, "index-disputed")
    assert [(d["number"], d["fields"]) for d in ready["disputes"]] == [(number, ["history"])]
    page = served.client.get(f"/c/{number}", query_string={"at": after}).get_data(as_text=True)
    assert 'data-status="DISPUTED"' in page and "证书有效" not in page


def chain_instant(served: Served) -> str:
    """Just after the chain's latest block, as the API takes ``at`` (the session's chain clock may run ahead of the
    wall clock: other tests move it)."""
    latest = served.deployed.w3.eth.get_block("latest")["timestamp"]
    return dt.datetime.fromtimestamp(latest + 1, dt.UTC).isoformat()


def test_an_instants_history_is_read_from_the_node_once_while_nothing_names_it(served: Served) -> None:
    number = served.firms[0][1]["number"]
    at = chain_instant(served)
    ledger = served.client.application.extensions["ledger"]
    first = served.client.get(f"/api/v1/certificates/{number}", query_string={"at": at})
    assert first.status_code == 200 and first.json["disputed"] is None
    kept = dict(ledger._histories)
    again = served.client.get(f"/api/v1/certificates/{number}", query_string={"at": at}).json
    assert {**again, "proof": None} == {**first.json, "proof": None}
    assert all(ledger._histories[i] is kept[i] for i in kept)  # the same logged history, not read again
    served.deployed.sender("ministry").transact(served.deployed.registry.functions.suspend(certificate_id(number), 7))
    served.indexer.sync()
    answer = served.client.get(f"/api/v1/certificates/{number}", query_string={"at": chain_instant(served)}).json
    assert answer["disputed"] is None and [e["act"] for e in answer["history"]][-1] == "SUSPEND"


def test_the_audit_names_a_forged_row_within_one_pass(served: Served, ledger: list[str]) -> None:
    """Nobody asks for the certificate: the audit finds it anyway, by certificate and field, and /readyz says so."""
    number = revoked_firm(served)
    planner = served.planners[1][1]["number"]
    forge(served, number, status=1)
    forge(served, planner, valid_until=4_000_000_000)
    auditor = served.deployed.ledger.auditor()
    auditor.engine = served.engine
    report = auditor.full_pass()
    assert report.certificates == len(served.firms) + len(served.planners) and report.mismatches == 2
    ready = is_problem(served.client.get("/readyz"), 503, "index-disputed")
    assert sorted((f["number"], f["field"]) for f in ready["findings"]) == sorted(
        [(number, "status"), (planner, "validUntil")]
    )
    assert ready["audit"]["mismatches"] == 2 and ready["audit"]["certificates"] == report.certificates

    result = CliRunner().invoke(cli.main, [*ledger, "audit"])
    assert result.exit_code == 1 and "2 mismatch(es)" in result.output, result.output

    forge(served, number, status=3)
    forge(served, planner, valid_until=served.planners[1][1]["validUntil"])
    assert auditor.full_pass().mismatches == 0
    assert served.client.get("/readyz").status_code == 200
    assert CliRunner().invoke(cli.main, [*ledger, "audit"]).exit_code == 0


def test_the_audit_finds_a_row_the_read_model_lost(served: Served) -> None:
    number = served.firms[3][1]["number"]
    with served.engine.begin() as connection:
        connection.execute(text("DELETE FROM certificates WHERE number = :number"), {"number": number})
    auditor = served.deployed.ledger.auditor()
    auditor.engine = served.engine
    assert auditor.full_pass().mismatches == 1
    (finding,) = is_problem(served.client.get("/readyz"), 503, "index-disputed")["findings"]
    assert (finding["id"], finding["field"], finding["chain"]) == (
        "0x" + certificate_id(number).hex(),
        "record",
        "present",
    )


def test_the_audit_advances_a_slice_at_a_time(served: Served) -> None:
    """What `ledger index` does after each poll: a pass spread over several steps ends with the same report."""
    auditor = served.deployed.ledger.auditor()
    auditor.engine = served.engine
    steps = []
    while (report := auditor.step(limit=3)) is None:
        steps.append(1)
        assert len(steps) < 100
    total = len(served.firms) + len(served.planners)
    assert len(steps) == total // 3 and report.certificates == total and report.mismatches == 0


def test_a_worker_preloads_every_indexed_certificate_and_then_asks_the_node_nothing(served: Served) -> None:
    client = served.app(VERDICTS_PRELOAD=True)
    numbers = [r["number"] for _, r in served.firms] + [r["number"] for _, r, _ in served.planners]
    assert client.get(f"/api/v1/certificates/{numbers[0]}").status_code == 200  # the first use starts the preload
    cache = client.application.extensions["ledger"].verdicts
    deadline = time.monotonic() + 10
    while len(cache) < len(numbers) and time.monotonic() < deadline:
        time.sleep(0.05)
    reached = cache.reached_at
    results = client.post("/api/v1/verify", json={"numbers": numbers}).json["results"]
    assert all(r["found"] and r["disputed"] is None for r in results)
    assert cache.reached_at == reached  # every verdict from the preloaded readings
