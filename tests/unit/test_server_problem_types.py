"""The server layer's refusals (gunicorn's worker and nginx, ``api/server.py``) name problem types of the
catalogue, each with the status it is answered with: every ``type`` they send resolves to its own description."""

from __future__ import annotations

from api.problem_types import catalogue
from api.server import SERVER_PROBLEMS, problem_answer, problem_body


def test_every_status_the_server_layer_answers_is_a_catalogued_problem_of_that_status() -> None:
    for status, (code, _) in SERVER_PROBLEMS.items():
        assert catalogue()[code]["status"] == status, code
        assert problem_body(status)["detail"] == catalogue()[code]["description"]


def test_the_answer_is_whole_http_with_the_problem_media_type() -> None:
    head, _, body = problem_answer(414).partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 414 ") and b"Content-Type: application/problem+json" in head
    assert f"Content-Length: {len(body)}".encode() in head and b"/problems/uri-too-long" in body
