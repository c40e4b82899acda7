"""The server layer's own refusals as problems (issue 16). gunicorn answers a request it cannot hand to the app
(a request line over its limit, a header too large, raw bytes beyond ASCII in the request line, a body announced
and still missing at the worker's timeout) with an HTML page of its own: ``make up`` serves gunicorn without a
proxy in front, so a client met those pages there. ``ProblemWorker`` keeps gunicorn's judgement of each request
(the status, the log line, the access-log entry) and changes only the page it writes: the problem (RFC 9457) with
the same type, title and detail nginx answers the same refusal with in the production profile
(``scripts/production.py`` renders nginx's from ``SERVER_PROBLEMS`` too).

This module is also gunicorn's configuration (``gunicorn -c python:api.server``: every gunicorn started here, by
``make up``, the production profile and ``make bench-verify``): the worker, and the request-line and header
limits nginx has (8 KB a line), so that ``uri-too-long`` and ``headers-too-large`` mean the same limit behind
either. A command-line option overrides a setting here (the production profile lifts the limits, nginx's job).
"""

from __future__ import annotations

import json
import socket
from typing import Any

from gunicorn import util
from gunicorn.workers.sync import SyncWorker

from .problem_types import catalogue
from .problems import PROBLEM_MEDIA_TYPE

# The status a server layer (gunicorn here, nginx in the production profile) answers before the app: its problem
# type (api/problem_types.py) and title. 503 is nginx's only, a client over its connection limit.
SERVER_PROBLEMS: dict[int, tuple[str, str]] = {
    400: ("bad-request", "Bad request"),
    403: ("forbidden-by-server", "Forbidden"),
    408: ("request-timeout", "Request timeout"),
    413: ("request-too-large", "Request too large"),
    414: ("uri-too-long", "URI too long"),
    417: ("expectation-failed", "Expectation failed"),
    431: ("headers-too-large", "Headers too large"),
    500: ("internal-error", "Internal Server Error"),
    501: ("transfer-coding-not-implemented", "Transfer coding not implemented"),
    502: ("bad-gateway", "Bad gateway"),
    503: ("too-many-connections", "Too many connections"),
    504: ("gateway-timeout", "Gateway timeout"),
}

# gunicorn settings, read from this module by ``-c python:api.server``
worker_class = "api.server.ProblemWorker"
limit_request_line = 8190  # gunicorn's most, nginx's 8 KB (large_client_header_buffers); its default was 4094
limit_request_field_size = 8190


def problem_body(status: int) -> dict[str, Any]:
    """The problem a server layer answers ``status`` with: the same body from gunicorn and from nginx."""
    code, title = SERVER_PROBLEMS[status]
    entry = catalogue()[code]
    return {"type": entry["type"], "title": title, "status": status, "detail": entry["description"]}


def problem_answer(status: int) -> bytes:
    """The whole HTTP answer, as gunicorn writes its own pages: the connection closes after it."""
    if status in SERVER_PROBLEMS:
        problem = problem_body(status)
    else:  # a status a later gunicorn may add: no more meaning than the status itself
        problem = {"type": "about:blank", "title": "Error", "status": status}
    body = json.dumps(problem, ensure_ascii=False).encode()
    head = (
        f"HTTP/1.1 {status} {problem['title']}\r\nConnection: close\r\n"
        f"Content-Type: {PROBLEM_MEDIA_TYPE}\r\nContent-Length: {len(body)}\r\n\r\n"
    )
    return head.encode("latin-1") + body


class _Page:
    """Where gunicorn writes its HTML page instead of the client's socket (``gunicorn.util.write_error`` sends it
    whole with ``sendall`` on a socket that ``gettimeout`` says is non-blocking): its status is all that is kept."""

    def __init__(self) -> None:
        self.written = b""

    def gettimeout(self) -> float:
        return 0.0

    def sendall(self, data: bytes) -> None:
        self.written += data

    @property
    def status(self) -> int | None:
        """The status of the page's status line (``HTTP/1.1 414 URI Too Long``), None if nothing was written."""
        parts = self.written.split(b"\r\n", 1)[0].split()
        return int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else None


class ProblemWorker(SyncWorker):
    """gunicorn's sync worker (what every gunicorn of the project runs), answering its own errors as problems."""

    def handle_error(self, req: Any, client: socket.socket, addr: Any, exc: BaseException) -> None:
        page = _Page()
        super().handle_error(req, page, addr, exc)  # gunicorn classifies, logs and renders its page into ``page``
        if page.status is None:
            return
        try:
            util.write_nonblock(client, problem_answer(page.status))
        except OSError:  # the client has gone: gunicorn gives up on its page the same way
            self.log.debug("Failed to send error message.")
