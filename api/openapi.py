"""What the OpenAPI document says about errors: every 4xx/5xx is application/problem+json (RFC 9457)."""

from __future__ import annotations

from typing import Any

PROBLEM_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": "RFC 9457 problem details",
    "required": ["type", "title", "status"],
    "properties": {
        "type": {"type": "string", "description": "stable problem type, e.g. /problems/certificate-not-found"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "errors": {
            "type": "array",
            "description": "the offending fields of a request that failed validation",
            "items": {"type": "object", "properties": {"in": {"type": "string"}, "field": {"type": "string"}}},
        },
    },
    "additionalProperties": True,
}


def problem_media_types(spec: dict[str, Any]) -> dict[str, Any]:
    """APIFlask documents error bodies as application/json; ours are application/problem+json."""
    for path in spec.get("paths", {}).values():
        for operation in path.values():
            for status, response in operation.get("responses", {}).items():
                content = response.get("content")
                if str(status)[0] in "45" and content and "application/json" in content:
                    content["application/problem+json"] = content.pop("application/json")
    return spec
