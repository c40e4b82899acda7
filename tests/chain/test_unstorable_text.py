"""A NUL (U+0000) or a lone surrogate in any input is a 400 ``invalid-request`` naming the field, never a 500
(issue 16: a NUL in a certificate number was a 500 on PostgreSQL, whose text cannot hold one, and was fixed for
that field alone). Run on SQLite and on PostgreSQL (``make test-postgres``, or TEST_POSTGRES_URL): the read
model the served register lives in is the one the fixtures pick."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote

import pytest

from tests.api_helpers import is_problem
from tests.conftest import Served

NUL = "\x00"
FORMAT = "planning-ledger/signed-act/v1"


def refused(response: Any, location: str, field: str) -> dict[str, Any]:
    body = is_problem(response, 400, "invalid-request")
    assert body["errors"] == [{"in": location, "field": field, "message": body["errors"][0]["message"]}]
    assert body["detail"].startswith(f"{field}: holds ") and "no field of this API takes" in body["detail"]
    return body


def get_operations(served: Served) -> list[tuple[str, list[dict[str, Any]]]]:
    spec = served.client.get("/api/v1/openapi.json").json
    return [(path, ops["get"].get("parameters", [])) for path, ops in spec["paths"].items() if "get" in ops]


def test_a_nul_in_any_path_segment_or_query_parameter_of_every_get_operation_is_refused(served: Served) -> None:
    """Every GET operation of the document, each of its path and query parameters in turn holding a NUL (the
    others a plain value): the refusal names that parameter, whatever its type."""
    number = served.firms[0][1]["number"]
    tried = 0
    for path, parameters in get_operations(served):
        for parameter in (p for p in parameters if p["in"] in ("path", "query")):
            name, value = parameter["name"], f"{number}{NUL}"
            url = path
            for other in (p for p in parameters if p["in"] == "path"):
                url = url.replace("{" + other["name"] + "}", quote(value if other is parameter else number))
            if parameter["in"] == "query":
                url += f"?{name}={quote(value)}"
            refused(served.client.get(url), parameter["in"], name)
            tried += 1
    assert tried >= 30


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("/api/v1/verify", {"numbers": ["自资规甲1100001", f"自资规甲{NUL}"]}, "numbers.1"),
        ("/api/v1/verify", {"numbers": ["自资规甲1100001"], "at": f"2026-01-01T00:00:00Z{NUL}"}, "at"),
        ("/api/v1/verify", {f"numbers{NUL}": []}, "numbers\\u0000"),
        ("/api/v1/acts", {"format": FORMAT, "typedData": {"message": {"x": NUL}}}, "typedData.message.x"),
        ("/api/v1/acts/prepare", {"act": "Suspend", "fields": {"reason": 1, "note": [[NUL]]}}, "fields.note.0.0"),
        ("/api/v1/auth/login", {"message": f"127.0.0.1 wants you to sign in{NUL}", "signature": "0x"}, "message"),
    ],
)  # fmt: skip
def test_a_nul_in_any_string_or_key_of_a_json_body_is_refused(
    served: Served, path: str, body: dict[str, Any], field: str
) -> None:
    refused(served.client.post(path, json=body), "json", field)


def test_a_lone_surrogate_in_a_json_body_is_refused(served: Served) -> None:
    """Only a JSON escape makes one (percent-encoded bytes that are no UTF-8 arrive as U+FFFD); no database can
    encode it as UTF-8."""
    raw = json.dumps({"numbers": ["自资规甲1100001"]}).replace("1100001", "1100001\\ud800")
    body = refused(served.client.post("/api/v1/verify", data=raw, content_type="application/json"), "json", "numbers.0")
    assert "U+D800" in body["detail"]


def test_a_nul_in_a_header_the_app_reads_or_a_form_field_is_refused(served: Served) -> None:
    number = served.firms[0][1]["number"]
    bearer = served.client.get(f"/api/v1/certificates/{number}", headers={"Authorization": f"Bearer a{NUL}b"})
    refused(bearer, "header", "Authorization")
    conditional = served.client.get(f"/api/v1/certificates/{number}", headers={"If-None-Match": f'"a{NUL}"'})
    refused(conditional, "header", "If-None-Match")
    form = served.client.post("/api/v1/files", data={"name": f"dossier{NUL}.pdf"})
    refused(form, "form", "name")


def test_the_same_inputs_without_the_nul_are_answered(served: Served) -> None:
    """The check refuses the character, not the request: the plain values are answered as before."""
    number = served.firms[0][1]["number"]
    assert served.client.get(f"/api/v1/certificates/{quote(number)}").status_code == 200
    assert served.client.post("/api/v1/verify", json={"numbers": [number]}).status_code == 200
    assert served.client.get(f"/api/v1/certificates?name={quote('规划')}").status_code == 200
