"""Page cursors as the API hands them out: the read model's cursor signed (itsdangerous, keyed by the API's token
secret) together with a digest of the query it pages, so that a cursor is accepted only with the filters and
`limit` it was made for, and a hand-made or altered one not at all (issue 16)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Any

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer

from ledger.errors import BadCursor

_SALT = "page-cursor/v1"


def sign(cursor: str | None, query: Mapping[str, Any]) -> str | None:
    """The cursor to hand out for the next page of ``query`` (its filters and limit, not its cursor)."""
    return None if cursor is None else _serializer().dumps({"c": cursor, "q": _digest(query)})


def unsign(token: str | None, query: Mapping[str, Any]) -> str | None:
    """The read model's cursor inside ``token``, if this server signed it for this very query."""
    if token is None:
        return None
    try:
        payload = _serializer().loads(token)
    except BadSignature:
        raise BadCursor("the cursor is not one this server handed out") from None
    if not isinstance(payload, dict) or not isinstance(payload.get("c"), str):
        raise BadCursor("the cursor is not one this server handed out")
    if payload.get("q") != _digest(query):
        raise BadCursor("the cursor pages another query: send it with the filters and limit of the page it came from")
    return str(payload["c"])


def _digest(query: Mapping[str, Any]) -> str:
    text = json.dumps({k: v for k, v in query.items() if k != "cursor"}, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["API_TOKEN_SECRET"], salt=_SALT)
