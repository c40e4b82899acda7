"""Text no database of ours can store is refused at the boundary, once for every input (issue 16): a NUL (U+0000),
which PostgreSQL's text cannot hold (a certificate number with one was a 500 there, while SQLite stored it), and
a lone surrogate (U+D800–U+DFFF, only a JSON ``\\ud800`` escape makes one), which is no character and cannot be
encoded as UTF-8 for any database. Neither belongs in any identifier, name or message this API takes, so a
request carrying one in its path, a query parameter, a form field, a header or any string or key of a JSON body
is an ``invalid-request`` (400) naming the field, before any view reads it."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from flask import Flask, request
from werkzeug.datastructures import MultiDict

from .problems import Problem

UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def refuse_in_path_query_and_headers() -> None:
    """Before the rate limits (which read the bearer token in ``Authorization``) and every view."""
    _refuse_first(_path_query_and_headers())


def refuse_in_body() -> None:
    """After the rate limits and the JSON media-type check: a body is parsed (and cached for the view) only for a
    request that is let through, as the view would parse it."""
    _refuse_first(_body())


def _refuse_first(inputs: Iterator[tuple[str, str, str]]) -> None:
    """The first of ``inputs`` (where, which field, the text) holding a character no database stores, as a
    problem naming it."""
    for location, field, text in inputs:
        found = UNSTORABLE.search(text)
        if found is not None:
            what = "a NUL character (U+0000)" if found[0] == "\x00" else f"a lone surrogate (U+{ord(found[0]):04X})"
            message = f"holds {what}, which no field of this API takes"
            field = UNSTORABLE.sub(lambda m: f"\\u{ord(m[0]):04x}", field)  # a key may hold one: named, escaped
            raise Problem(
                400, "invalid-request", "Invalid request", f"{field}: {message}",
                errors=[{"in": location, "field": field, "message": message}],
            )  # fmt: skip


def _path_query_and_headers() -> Iterator[tuple[str, str, str]]:
    for name, value in (request.view_args or {}).items():
        if isinstance(value, str):
            yield "path", name, value
    yield from _fields("query", request.args)
    for name, value in request.headers.items():
        yield "header", name, value


def _body() -> Iterator[tuple[str, str, str]]:
    if request.mimetype in ("application/x-www-form-urlencoded", "multipart/form-data"):
        yield from _fields("form", request.form)
    elif request.is_json and request.content_length != 0:
        # parsed here and cached for the view; a body that is not JSON is the view's to refuse, as ever
        yield from _strings("json", request.get_json(silent=True))


def _fields(location: str, fields: MultiDict[str, str]) -> Iterator[tuple[str, str, str]]:
    for name, values in fields.lists():
        yield location, name, name
        for value in values:
            yield location, name, value


def _strings(location: str, document: Any) -> Iterator[tuple[str, str, str]]:
    """Every key and string of a parsed JSON body with its dotted path (``fields.reason``, ``numbers.3``), as the
    validation errors name fields. A loop, not recursion: a body may be nested nearly as deep as the parser goes."""
    pending: list[tuple[str, Any]] = [("", document)]
    while pending:
        path, node = pending.pop()
        if isinstance(node, str):
            yield location, path or "body", node
        elif isinstance(node, dict):
            for key, value in node.items():
                inner = f"{path}.{key}" if path else key
                yield location, inner, key
                pending.append((inner, value))
        elif isinstance(node, list):
            pending.extend((f"{path}.{index}" if path else str(index), item) for index, item in enumerate(node))


def init_app(app: Flask) -> None:
    """The path, query and headers first of all (before the rate limits); the body last, after every other check
    before the view (the rate limits, json_bodies' 415): call once every blueprint is registered."""
    app.before_request_funcs.setdefault(None, []).insert(0, refuse_in_path_query_and_headers)
    app.before_request(refuse_in_body)
