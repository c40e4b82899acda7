"""The API's boundary as a third-party integrator meets it (issue 16), against a real anvil: a JSON body announced
and written as JSON, and batch errors named by their problem types."""

from __future__ import annotations

import json

import pytest

from tests.api_helpers import is_problem
from tests.chain.test_api_certificates import iso
from tests.chain.test_dossiers import bearer
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


@pytest.mark.parametrize("path", JSON_OPERATIONS)
@pytest.mark.parametrize("media_type", ["text/plain", "application/x-www-form-urlencoded", None])
def test_a_json_body_sent_as_another_media_type_is_415(served: Served, path: str, media_type: str | None) -> None:
    """A body sent as text/plain or form-encoded was parsed as JSON all the same."""
    body = json.dumps({"numbers": [served.firms[0][1]["number"]]})
    answer = served.client.post(path, data=body, content_type=media_type)
    assert is_problem(answer, 415, "unsupported-media-type") and answer.headers["Accept"] == "application/json"


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
