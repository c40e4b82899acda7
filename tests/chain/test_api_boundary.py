"""The API's boundary as a third-party integrator meets it (issue 16), against a real anvil: a JSON body announced
and written as JSON, batch errors named by their problem types, cross-origin reads of the public endpoints only, and
a certificate's answer revalidated by its ETag, never into a stale or disputed verdict."""

from __future__ import annotations

import json
import time

import pytest
from eth_account import Account

from ledger.certificates.client import certificate_id
from tests.api_helpers import is_problem
from tests.chain.test_api_certificates import iso
from tests.chain.test_dossiers import bearer
from tests.chain.test_verdicts import forge
from tests.chain.test_web_session import csrf_of
from tests.conftest import Served

JSON_OPERATIONS = [
    "/api/v1/verify",
    "/api/v1/verify/document",
    "/api/v1/acts",
    "/api/v1/acts/prepare",
    "/api/v1/auth/login",
    "/api/v1/presentations/challenge",
    "/api/v1/presentations/verify",
]
TENDER = "https://tender.example"


@pytest.mark.parametrize("path", JSON_OPERATIONS)
@pytest.mark.parametrize("media_type", ["text/plain", "application/x-www-form-urlencoded", None])
def test_a_json_body_sent_as_another_media_type_is_415(served: Served, path: str, media_type: str | None) -> None:
    """A body sent as text/plain or form-encoded was parsed as JSON all the same."""
    body = json.dumps({"numbers": [served.firms[0][1]["number"]]})
    answer = served.client.post(path, data=body, content_type=media_type)
    assert is_problem(answer, 415, "unsupported-media-type") and answer.headers["Accept"] == "application/json"


def test_the_pages_json_posts_are_held_to_the_same_media_type(served: Served) -> None:
    client = served.app()
    headers = csrf_of(client)
    body = json.dumps({"address": Account.create().address})
    refused = client.post("/web/sign-in/challenge", data=body, content_type="text/plain", headers=headers)
    is_problem(refused, 415, "unsupported-media-type")
    assert client.post("/web/sign-in/challenge", data=body, content_type="application/json", headers=headers).json


def test_json_is_any_json_media_type_and_a_dossier_file_keeps_its_own_rules(served: Served) -> None:
    body = json.dumps({"numbers": [served.firms[0][1]["number"]]})
    for media_type in ("application/json; charset=utf-8", "application/vnd.tender+json"):
        assert served.client.post("/api/v1/verify", data=body, content_type=media_type).status_code == 200
    stored = served.client.post("/api/v1/files", data=body, content_type="application/json", headers=bearer(served))
    is_problem(stored, 415, "unsupported-file-type")


@pytest.mark.parametrize("constant", ["NaN", "Infinity", "-Infinity"])
@pytest.mark.parametrize("path", ["/api/v1/verify", "/api/v1/acts/prepare"])
def test_nan_and_the_infinities_are_not_json(served: Served, constant: str, path: str) -> None:
    """Python's parser takes them; no other JSON parser reads them back."""
    body = f'{{"numbers": ["{served.firms[0][1]["number"]}"], "maxAge": {constant}}}'
    refused = is_problem(served.client.post(path, data=body, content_type="application/json"), 400, "malformed-json")
    assert constant.lstrip("-") in refused["detail"]


def test_a_body_nested_too_deep_is_malformed_json(served: Served) -> None:
    deep = "[" * 1000 + "]" * 1000
    is_problem(served.client.post("/api/v1/verify", data=deep, content_type="application/json"), 400, "malformed-json")


def test_a_batch_names_an_unanswered_item_by_its_problem_type(served: Served) -> None:
    """The batch said `certificate-not-found` where every other error says `/problems/certificate-not-found`."""
    _, request = served.firms[0]
    number = request["number"]
    results = served.client.post("/api/v1/verify", json={"numbers": [number, "自资规甲0000000"]}).json["results"]
    assert (results[0]["errorType"], results[0]["error"]) == (None, None)
    assert results[1] | {} == {
        **results[1],
        "found": False,
        "errorType": "/problems/certificate-not-found",
        "error": "certificate-not-found",
    }
    before = served.client.post("/api/v1/verify", json={"numbers": [number], "at": iso(request["validFrom"] - 86400)})
    (early,) = before.json["results"]
    assert (early["found"], early["errorType"], early["error"]) == (True, "/problems/not-yet-issued", "not-yet-issued")
    assert served.client.get("/api/v1/certificates/自资规甲0000000").json["type"] == results[1]["errorType"]
    for result in (results[1], early):  # each type resolves to its meaning
        assert served.client.get(result["errorType"]).json["code"] == result["error"]


@pytest.mark.parametrize(
    ("path", "method"),
    [
        ("/api/v1/certificates/{number}", "GET"),
        ("/api/v1/certificates", "GET"),
        ("/api/v1/verify", "POST"),
        ("/api/v1/verify/document", "POST"),
        ("/api/v1/firms/{code}", "GET"),
        ("/api/v1/lists/yellow", "GET"),
        ("/api/v1/notices", "GET"),
    ],
)
def test_a_public_read_answers_a_preflight_from_any_origin(served: Served, path: str, method: str) -> None:
    number = served.firms[0][1]["number"]
    code = served.client.get(f"/api/v1/certificates/{number}").json["holder"]["creditCode"]
    url = path.format(number=number, code=code)
    asked = {
        "Origin": TENDER,
        "Access-Control-Request-Method": method,
        "Access-Control-Request-Headers": "content-type",
    }
    preflight = served.client.options(url, headers=asked)
    assert preflight.status_code == 200
    assert preflight.headers["Access-Control-Allow-Origin"] == "*"
    assert method in preflight.headers["Access-Control-Allow-Methods"].split(", ")
    assert "Content-Type" in preflight.headers["Access-Control-Allow-Headers"]
    assert int(preflight.headers["Access-Control-Max-Age"]) > 0
    assert "Access-Control-Allow-Credentials" not in preflight.headers


def test_a_public_read_exposes_its_rate_limit_headers_and_etag_to_the_page(served: Served) -> None:
    number = served.firms[0][1]["number"]
    answer = served.client.get(f"/api/v1/certificates/{number}", headers={"Origin": TENDER})
    assert answer.status_code == 200 and answer.headers["Access-Control-Allow-Origin"] == "*"
    exposed = answer.headers["Access-Control-Expose-Headers"].split(", ")
    assert {"X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset", "Retry-After", "ETag"} <= set(exposed)
    assert "X-RateLimit-Remaining" in answer.headers
    missing = served.client.get("/api/v1/certificates/自资规甲0000000", headers={"Origin": TENDER})
    assert is_problem(missing, 404, "certificate-not-found")
    assert missing.headers["Access-Control-Allow-Origin"] == "*"  # a page reads the problem too
    batch = served.client.post("/api/v1/verify", json={"numbers": [number]}, headers={"Origin": TENDER})
    assert batch.headers["Access-Control-Allow-Origin"] == "*"


@pytest.mark.parametrize(
    ("path", "method"),
    [("/api/v1/acts", "POST"), ("/api/v1/acts/prepare", "POST"), ("/api/v1/auth/login", "POST"),
     ("/api/v1/auth/me", "GET"), ("/api/v1/presentations/verify", "POST"), ("/console", "GET")],
)  # fmt: skip
def test_acts_sign_in_and_the_console_answer_no_other_origin(served: Served, path: str, method: str) -> None:
    asked = {"Origin": TENDER, "Access-Control-Request-Method": method}
    assert "Access-Control-Allow-Origin" not in served.client.options(path, headers=asked).headers
    assert "Access-Control-Allow-Origin" not in served.client.open(path, method=method, headers=asked).headers


def test_cors_origins_are_configuration(served: Served) -> None:
    number = served.firms[0][1]["number"]
    url = f"/api/v1/certificates/{number}"
    listed = served.app(CORS_ORIGINS=f"{TENDER}, https://other.example")
    mine = listed.get(url, headers={"Origin": TENDER})
    assert mine.headers["Access-Control-Allow-Origin"] == TENDER and "Origin" in mine.headers["Vary"]
    stranger = listed.get(url, headers={"Origin": "https://phishing.example"})
    assert stranger.status_code == 200 and "Access-Control-Allow-Origin" not in stranger.headers
    assert "Origin" in stranger.headers["Vary"]  # a cache keeps the two apart
    none = served.app(CORS_ORIGINS="").get(url, headers={"Origin": TENDER})
    assert "Access-Control-Allow-Origin" not in none.headers
    with pytest.raises(ValueError, match="CORS_ORIGINS"):
        served.app(CORS_ORIGINS="tender.example/path")


def test_an_answer_is_revalidated_by_its_etag_until_the_chain_moves(served: Served) -> None:
    number = served.firms[0][1]["number"]
    url = f"/api/v1/certificates/{number}"
    first = served.client.get(url)
    tag = first.headers["ETag"]
    assert tag.startswith('W/"') and first.headers["Cache-Control"] == "public, max-age=0, must-revalidate"
    assert served.client.get(url).headers["ETag"] == tag  # a kept answer, its at and lag made afresh
    assert served.app().get(url).headers["ETag"] == tag  # another worker: the same index position, the same tag

    same = served.client.get(url, headers={"If-None-Match": tag, "Origin": TENDER})
    assert same.status_code == 304 and same.data == b""
    assert same.headers["ETag"] == tag and same.headers["Cache-Control"] == first.headers["Cache-Control"]
    assert same.headers["Access-Control-Allow-Origin"] == "*" and "Content-Type" not in same.headers
    assert served.client.get(url, headers={"If-None-Match": '"something-else"'}).status_code == 200

    registry = served.deployed.registry
    served.deployed.sender("ministry").transact(registry.functions.suspend(certificate_id(number), 7))
    served.indexer.sync()
    moved = served.client.get(url, headers={"If-None-Match": tag})
    assert moved.status_code == 200 and moved.json["status"] == "SUSPENDED"
    assert moved.headers["ETag"] not in (tag, None)
    assert served.client.get(url, headers={"If-None-Match": moved.headers["ETag"]}).status_code == 304


def test_a_disputed_answer_is_never_confirmed_by_an_old_tag(served: Served) -> None:
    """A row changed behind the indexer's back: the client holding the genuine answer's tag gets the disputed
    answer whole, and no tag to revalidate it by."""
    number = served.firms[2][1]["number"]
    url = f"/api/v1/certificates/{number}"
    tag = served.client.get(url).headers["ETag"]
    forge(served, number, status=2)  # the index says SUSPENDED, the registry ACTIVE
    for _ in range(2):  # and again: a disputed answer is never kept
        disputed = served.client.get(url, headers={"If-None-Match": tag})
        assert disputed.status_code == 200 and disputed.json["disputed"] is not None
        assert disputed.json["status"] == "ACTIVE" and "ETag" not in disputed.headers
    assert served.client.get(url, headers={"If-None-Match": "*"}).status_code == 200


@pytest.mark.parametrize("query", [{"source": "chain"}, {"at": iso(int(time.time()))}, {"proof": "storage"}])
def test_only_the_answer_for_now_carries_a_tag(served: Served, query: dict[str, str]) -> None:
    number = served.firms[0][1]["number"]
    tag = served.client.get(f"/api/v1/certificates/{number}").headers["ETag"]
    answer = served.client.get(f"/api/v1/certificates/{number}", query_string=query, headers={"If-None-Match": tag})
    assert answer.status_code == 200 and "ETag" not in answer.headers


def test_the_openapi_document_says_all_of_it(served: Served) -> None:
    spec = served.client.get("/api/v1/openapi.json").json
    paths = spec["paths"]
    for path in JSON_OPERATIONS:
        responses = paths[path]["post"]["responses"]
        assert "415" in responses and "malformed-json" in responses["400"]["description"], path
    assert "415" in paths["/api/v1/files"]["post"]["responses"]  # its own: unsupported-file-type
    lookup = paths["/api/v1/certificates/{number}"]["get"]
    assert {"ETag", "Cache-Control", "Access-Control-Allow-Origin"} <= set(lookup["responses"]["200"]["headers"])
    assert "ETag" in lookup["responses"]["304"]["headers"]
    assert any(p["name"] == "If-None-Match" and p["in"] == "header" for p in lookup["parameters"])
    assert "Access-Control-Allow-Origin" in paths["/api/v1/verify"]["post"]["responses"]["200"]["headers"]
    assert "Access-Control-Allow-Origin" not in paths["/api/v1/acts"]["post"]["responses"]["202"]["headers"]
    result = spec["components"]["schemas"]["VerifyResult"]["properties"]
    assert "/problems/" in json.dumps(result["errorType"])
    for code, status in (("unsupported-media-type", 415), ("malformed-json", 400)):
        assert served.client.get(f"/problems/{code}").json["status"] == status
