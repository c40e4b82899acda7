"""What the API tests share: a response is the RFC 9457 problem it should be."""

from __future__ import annotations

from typing import Any


def is_problem(response: Any, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.json
    assert response.mimetype == "application/problem+json"
    body = response.json
    assert body["type"] == f"/problems/{code}" and body["status"] == status and body["title"] and body["detail"]
    return body
