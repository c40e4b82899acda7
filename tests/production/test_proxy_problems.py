"""nginx's own refusals are problems as the API's are (issue 16: they were text/html from the server layer): each
names its stable type from the catalogue, with title, status and detail."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from api.problem_types import catalogue
from ledger.chain.localchain import free_port
from scripts.production import NGINX_PROBLEMS
from tests.raw_http import Answer, exchange, read_answer

from .conftest import CLIENT_TIMEOUT, Production, proxy_before

HOST = b"Host: 127.0.0.1\r\n"
VERIFY = b"POST /api/v1/verify HTTP/1.1\r\nContent-Type: application/json\r\n"


def assert_problem(answer: Answer, status: int) -> None:
    code, title = NGINX_PROBLEMS[status]
    assert answer.status == status and answer.headers["content-type"] == "application/problem+json"
    body = json.loads(answer.body)
    assert body == {"type": f"/problems/{code}", "title": title, "status": status,
                    "detail": catalogue()[code]["description"]}  # fmt: skip


@pytest.mark.parametrize(
    ("request_bytes", "status"),
    [
        pytest.param("GET /api/v1/certificates/自资规乙1501225 HTTP/1.1\r\n".encode(), 400, id="raw-utf8-path"),
        pytest.param(b"GET /api/v1/certificates/\xff\xfe HTTP/1.1\r\n", 400, id="raw-bytes-path"),
        pytest.param(b"NOT A REQUEST LINE\r\n", 400, id="malformed-request-line"),
        pytest.param(b"GET /" + b"a" * 9000 + b" HTTP/1.1\r\n", 414, id="uri-too-long"),
        pytest.param(b"GET /livez HTTP/1.1\r\nX-Long: " + b"a" * 9000 + b"\r\n", 431, id="header-line-too-long"),
        pytest.param(
            b"GET /livez HTTP/1.1\r\n" + b"".join(b"X-%d: %s\r\n" % (i, b"a" * 4000) for i in range(9)),
            431,
            id="headers-too-large",
        ),
        pytest.param(VERIFY + b"Content-Length: 3000000\r\n", 413, id="announced-body-too-large"),
    ],
)
def test_a_request_nginx_refuses_is_a_problem(production: Production, request_bytes: bytes, status: int) -> None:
    assert_problem(exchange(production.profile.layout.port, request_bytes + HOST + b"\r\n"), status)


def test_a_chunked_body_beyond_2_mib_is_413(production: Production) -> None:
    """Chunked, the body names no length: nginx counts it as it arrives, and refuses it past client_max_body_size."""
    chunk = b"a" * 65536
    with socket.create_connection(("127.0.0.1", production.profile.layout.port), timeout=30) as connection:
        connection.sendall(VERIFY + HOST + b"Transfer-Encoding: chunked\r\n\r\n")
        try:
            for _ in range(40):  # 2.5 MiB
                connection.sendall(b"%x\r\n%s\r\n" % (len(chunk), chunk))
        except (BrokenPipeError, ConnectionResetError):  # nginx answered and closed before the end
            pass
        assert_problem(read_answer(connection, 30), 413)


def test_a_stalled_request_is_dropped_by_nginx_not_passed_on(production: Production) -> None:
    """Headers begun and not finished, and a body announced and not sent: nginx ends both after its timeout. It
    closes without an answer (nginx logs 408 but sends nothing on a timeout); an answer would be the 408 problem."""
    port = production.profile.layout.port
    stalls = [b"GET /livez HTTP/1.1\r\n" + HOST, VERIFY + HOST + b"Content-Length: 100\r\n\r\n{"]
    answers: list[Answer] = []
    threads = [threading.Thread(target=lambda d=d: answers.append(exchange(port, d, CLIENT_TIMEOUT + 10)))
               for d in stalls]  # fmt: skip
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(answers) == 2
    for answer in answers:
        if answer.status is not None:
            assert_problem(answer, 408)


@pytest.fixture
def silent_port() -> Iterator[int]:
    """A port that accepts connections and never answers, as a hung instance."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(64)
        yield listener.getsockname()[1]


def test_no_instance_answering_is_502_and_too_many_connections_503(tmp_path: Path) -> None:
    proxy = proxy_before(tmp_path / "dead", (free_port(), free_port()), connections_per_client=1)
    try:
        port = proxy.layout.port
        assert_problem(exchange(port, b"GET /api/v1/certificates HTTP/1.1\r\n" + HOST + b"\r\n"), 502)
        with socket.create_connection(("127.0.0.1", port)) as held:  # an upload in progress holds its connection
            held.sendall(VERIFY + HOST + b"Content-Length: 100\r\n\r\n")
            assert_problem(exchange(port, b"GET /livez HTTP/1.1\r\n" + HOST + b"\r\n"), 503)
    finally:
        proxy.stop()


def test_an_instance_that_does_not_answer_in_time_is_504(tmp_path: Path, silent_port: int) -> None:
    proxy = proxy_before(tmp_path / "silent", (silent_port, silent_port), upstream_timeout=1)
    try:
        assert_problem(exchange(proxy.layout.port, b"GET /livez HTTP/1.1\r\n" + HOST + b"\r\n"), 504)
    finally:
        proxy.stop()


def test_a_dossier_file_beyond_2_mib_passes_to_the_api(production: Production) -> None:
    """POST /api/v1/files has the dossier store's own limit (20 MiB), not the JSON bodies' 2 MiB: nginx buffers the
    file whole (beyond its memory buffer, on disk) and passes it on: the API answers, here that no one signed in."""
    body = b"\0" * (3 * 1024 * 1024)
    response = requests.post(f"{production.url}/api/v1/files", data=body, headers={"Content-Type": "application/pdf"},
                             timeout=30)  # fmt: skip
    assert response.status_code == 401 and response.json()["type"] == "/problems/not-signed-in", response.text
