"""Every error the API returns is an RFC 9457 problem (application/problem+json) with a stable ``type``."""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask, Response, json
from werkzeug.exceptions import HTTPException

PROBLEM_MEDIA_TYPE = "application/problem+json"
log = logging.getLogger(__name__)


def problem(status: int, slug: str, title: str, detail: str, **extensions: Any) -> Response:
    """A problem response. ``slug`` names the problem type, served under /problems/ on this host."""
    body = {"type": f"/problems/{slug}", "title": title, "status": status, "detail": detail, **extensions}
    return Response(json.dumps(body, ensure_ascii=False), status=status, mimetype=PROBLEM_MEDIA_TYPE)


def _http_error(exc: HTTPException) -> Response:
    # Plain HTTP errors (404 for an unknown path, 405, ...) carry no more meaning than their status: about:blank.
    body = {"type": "about:blank", "title": exc.name, "status": exc.code, "detail": exc.description}
    response = Response(json.dumps(body), status=exc.code, mimetype=PROBLEM_MEDIA_TYPE)
    if exc.code == 405 and exc.valid_methods:
        response.headers["Allow"] = ", ".join(exc.valid_methods)
    return response


def _unexpected_error(exc: Exception) -> Response:
    log.exception("unhandled error")
    return problem(500, "internal-error", "Internal Server Error", "The server failed to answer; it has been logged.")


def init_app(app: Flask) -> None:
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(Exception, _unexpected_error)
