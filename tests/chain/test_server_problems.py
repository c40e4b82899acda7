"""gunicorn's own refusals are problems (issue 16: ``make up`` serves gunicorn with no proxy in front, and gunicorn
answered these with HTML pages): the API under a real gunicorn, started as ``make up`` starts it
(``tests.gunicorn_server``), spoken to over raw sockets. Each refusal carries the type, title and detail nginx gives
the same status in the production profile, and its type URI resolves on the same server."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
import requests

from api.server import problem_body
from tests.gunicorn_server import gunicorn
from tests.raw_http import Answer, exchange

HOST = b"Host: 127.0.0.1\r\n"
WORKER_TIMEOUT = 6  # seconds: gunicorn's --timeout here, so that a stalled body meets it within the test


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[int]:
    """The API under gunicorn with no chain: every request here is refused before the app, or answered without
    the chain (``/livez``, ``/problems``). Its port."""
    with gunicorn(tmp_path_factory.mktemp("gunicorn"), "--workers", "1", "--timeout", str(WORKER_TIMEOUT)) as port:
        yield port


def assert_server_problem(answer: Answer, status: int, port: int) -> None:
    """What a client notices: the status, the problem media type, the body nginx gives this status, and a type
    URI that answers."""
    assert answer.status == status, answer
    assert answer.headers["content-type"] == "application/problem+json"
    body = json.loads(answer.body)
    assert body == problem_body(status)
    described = requests.get(f"http://127.0.0.1:{port}{body['type']}", timeout=10)
    assert described.status_code == 200 and described.json()["status"] == status


@pytest.mark.parametrize(
    ("request_bytes", "status"),
    [
        pytest.param("GET /api/v1/certificates/自资规乙1501225 HTTP/1.1\r\n".encode(), 400, id="raw-utf8-path"),
        pytest.param(b"GET /api/v1/certificates/\xff\xfe HTTP/1.1\r\n", 400, id="raw-bytes-path"),
        pytest.param(b"NOT A REQUEST LINE\r\n", 400, id="malformed-request-line"),
        pytest.param(b"GET /livez HTTP/1.1\r\nBad Header Name: x\r\n", 400, id="malformed-header"),
        pytest.param(b"GET /" + b"a" * 9000 + b" HTTP/1.1\r\n", 414, id="uri-too-long"),
        pytest.param(b"GET /livez HTTP/1.1\r\nX-Long: " + b"a" * 9000 + b"\r\n", 431, id="header-line-too-long"),
        pytest.param(
            b"GET /livez HTTP/1.1\r\n" + b"".join(b"X-%d: a\r\n" % i for i in range(101)), 431, id="too-many-headers"
        ),
        pytest.param(b"POST /api/v1/verify HTTP/1.1\r\nExpect: a-miracle\r\n", 417, id="expectation"),
        pytest.param(b"POST /api/v1/verify HTTP/1.1\r\nTransfer-Encoding: br, chunked\r\n", 501, id="transfer-coding"),
    ],
)
def test_a_request_gunicorn_refuses_is_a_problem(server: int, request_bytes: bytes, status: int) -> None:
    assert_server_problem(exchange(server, request_bytes + HOST + b"\r\n"), status, server)


def test_a_body_that_never_arrives_ends_in_a_problem_not_an_html_page(server: int) -> None:
    """A body announced and never sent holds the sync worker until its timeout; the worker's end was a 500 HTML
    page, and is the internal-error problem (behind nginx in production, a stalled body never reaches a worker)."""
    stalled = b"POST /api/v1/verify HTTP/1.1\r\nContent-Type: application/json\r\nContent-Length: 100\r\n" + HOST
    answer = exchange(server, stalled + b"\r\n", timeout=WORKER_TIMEOUT * 4)
    assert_server_problem(answer, 500, server)


def test_a_request_line_within_nginx_limit_reaches_the_api(server: int) -> None:
    """gunicorn's default limit was 4 KB; ``api.server`` gives it nginx's 8 KB, so that ``uri-too-long`` means
    one limit whichever server answers: a 6 KB path is the API's own answer (an unknown path)."""
    answer = exchange(server, b"GET /" + b"a" * 6000 + b" HTTP/1.1\r\n" + HOST + b"\r\n")
    assert answer.status == 404 and answer.headers["content-type"] == "application/problem+json"
    assert json.loads(answer.body)["type"] == "/problems/not-found"
