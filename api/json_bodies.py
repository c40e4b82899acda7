"""JSON request bodies held to JSON (issue 16): a body an operation reads as JSON is announced as JSON (415
otherwise: a body sent as text/plain or form-encoded was parsed as JSON all the same), and it is JSON as RFC 8259
defines it: Python's parser also takes ``NaN``, ``Infinity`` and ``-Infinity``, which no other JSON parser
reads back, and recurses until a body nested a thousand deep is a RecursionError. Both are refused as
``malformed-json`` (400). Dossier files (``POST /api/v1/files``) are raw bodies with their own media types, checked
by the dossier store."""

from __future__ import annotations

from typing import Any, NoReturn

from flask import Flask, current_app, request
from flask.json.provider import DefaultJSONProvider

from .problems import Problem

EXTENSION = "json_bodies"
BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})
MEDIA_TYPE = "application/json"


class JSONProvider(DefaultJSONProvider):
    """Flask's JSON with Chinese kept as it is; a body parsed to what JSON has, or refused with a ValueError (which
    ``malformed`` turns into a problem)."""

    ensure_ascii = False

    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        try:
            return super().loads(s, parse_constant=_not_json, **kwargs)
        except RecursionError:
            raise ValueError("the JSON document is nested too deeply") from None


def _not_json(constant: str) -> NoReturn:
    raise ValueError(f"{constant} is not a JSON value (RFC 8259 has no NaN or infinities)")


def malformed(error: ValueError | None) -> NoReturn:
    """A body that does not parse as JSON: the parser's reason, as a problem."""
    detail = f"The request body is not JSON: {error}." if error else "The request body is not JSON."
    raise Problem(400, "malformed-json", "Malformed JSON", detail)


def unsupported_media_type() -> Problem:
    """A JSON operation's body sent under another Content-Type (RFC 9110: Accept names the type it takes)."""
    declared = request.mimetype or "none"
    return Problem(
        415, "unsupported-media-type", "Unsupported media type",
        f"This operation reads a JSON body: send it as Content-Type {MEDIA_TYPE} (or a +json type), not {declared}.",
        headers={"Accept": MEDIA_TYPE},
    )  # fmt: skip


def require_json() -> None:
    """Before a JSON operation's view: its body must be announced as JSON."""
    held = request.method in BODY_METHODS and request.endpoint in current_app.extensions[EXTENSION]
    if held and not request.is_json:
        raise unsupported_media_type()


def init_app(app: Flask) -> None:
    """Once every blueprint is registered: the operations whose body APIFlask reads as JSON (``@input`` at the json
    location) are the ones held to the media type."""
    app.json = JSONProvider(app)
    specs = {endpoint: getattr(view, "_spec", {}) for endpoint, view in app.view_functions.items()}
    app.extensions[EXTENSION] = frozenset(
        endpoint for endpoint, spec in specs.items() if "body" in spec and spec.get("content_type") == MEDIA_TYPE
    )
    app.before_request(require_json)
