"""Every `type` URI an error of the API names leads somewhere: `/problems/<code>` says what it means and
`/problems` lists them all (they answered 404). Checked against the codes the API's own source raises."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import pytest
from flask.testing import FlaskClient
from werkzeug.test import EnvironBuilder

from api import create_app
from api.problems import HTTP_PROBLEMS
from ledger.settings import PROJECT_ROOT

RAISED = re.compile(
    r'(?:Problem|problem)\(\s*(?:[0-9]{3}|[a-z_.]+),\s*"([a-z][a-z0-9-]+)"|_unauthorised\(\s*"([a-z-]+)"'
)


@pytest.fixture
def client(tmp_path: Path) -> FlaskClient:
    return create_app({"TESTING": True, "LEDGER_DEPLOYMENT": str(tmp_path / "none.json"),
                       "DATABASE_URL": f"sqlite:///{tmp_path / 'ledger.db'}"}).test_client()  # fmt: skip


def test_every_problem_the_api_raises_is_in_the_catalogue(client: FlaskClient) -> None:
    raised = {a or b for path in (PROJECT_ROOT / "api").rglob("*.py") for a, b in RAISED.findall(path.read_text())}
    listed = {entry["code"] for entry in client.get("/problems").json["problems"]}
    assert len(raised) > 25 and (raised | set(HTTP_PROBLEMS.values())) - listed == set()


@pytest.mark.parametrize(
    ("code", "status"),
    [("invalid-request", 400), ("replayed", 401), ("missing-role", 403), ("certificate-not-found", 404),
     ("already-issued", 409), ("consent-missing", 409), ("rate-limited", 429), ("chain-unavailable", 503)],
)  # fmt: skip
def test_a_problem_type_uri_says_what_it_means(client: FlaskClient, code: str, status: int) -> None:
    entry = client.get(f"/problems/{code}").json
    assert (entry["type"], entry["status"]) == (f"/problems/{code}", status) and entry["description"]


def test_an_unknown_problem_type_is_itself_a_problem(client: FlaskClient) -> None:
    response = client.get("/problems/no-such-thing")
    assert response.status_code == 404 and response.mimetype == "application/problem+json"
    assert response.json["type"] == "/problems/problem-type-not-found"


def test_a_chunked_body_beyond_the_limit_is_413_not_a_truncated_400(tmp_path: Path) -> None:
    """A chunked body names no length: Werkzeug cut it silently at the limit and the truncated JSON was a 400."""
    app = create_app({"TESTING": True, "LEDGER_DEPLOYMENT": str(tmp_path / "none.json"),
                      "DATABASE_URL": f"sqlite:///{tmp_path / 'ledger.db'}"})  # fmt: skip
    body = json.dumps({"numbers": ["x" * 100] * 25_000}).encode()  # 2.5 MB
    environ = EnvironBuilder(path="/api/v1/verify", method="POST", content_type="application/json").get_environ()
    environ.pop("CONTENT_LENGTH", None)
    environ.update({"wsgi.input": io.BytesIO(body), "wsgi.input_terminated": True, "HTTP_TRANSFER_ENCODING": "chunked"})
    statuses: list[str] = []
    answer = json.loads(b"".join(app(environ, lambda status, headers: statuses.append(status))))
    assert statuses == ["413 REQUEST ENTITY TOO LARGE"] and answer["type"] == "/problems/request-too-large"
