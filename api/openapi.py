"""What the OpenAPI document says beyond what APIFlask writes: every 4xx/5xx is application/problem+json (RFC 9457),
every operation documents the problems any request can meet (bad input, a method not allowed, a rate limit, a
fault, an unavailable chain or index; for a JSON body, one not sent or not written as JSON) and the rate-limit
headers, an operation answering 304 takes If-None-Match, and a query parameter is text or absent, never null."""

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
        "zh": {
            "type": ["string", "null"],
            "description": "a refusal (a contract error, a refused signature) in Chinese",
        },
        "errors": {
            "type": "array",
            "description": "the offending fields of a request that failed validation",
            "items": {
                "type": "object",
                "properties": {
                    "in": {"type": "string", "description": "query, path, json, header"},
                    "field": {"type": "string"},
                    "message": {"type": "string", "description": "what is wrong with it"},
                },
            },
        },
    },
    "additionalProperties": True,
}


COMMON_PROBLEMS = {
    "400": "Invalid request: the offending fields are listed in `errors` (an unknown query parameter is one)",
    "405": "Method not allowed on this path",
    "429": "Rate limit reached: retry after `Retry-After` seconds",
    "500": "The server failed to answer; the fault has been logged (`/problems/internal-error`)",
    "503": "Chain or index unavailable, or the registry not deployed",
}
BODY_PROBLEMS = {"413": "Request body too large: 2 MiB for JSON (a dossier file: the store's limit)"}
JSON_BODY_PROBLEMS = {
    "415": "The body is not sent as JSON: Content-Type must be application/json or a +json type "
    "(`/problems/unsupported-media-type`; `Accept` names the type taken)",
}
MALFORMED_JSON = (
    "; a body that is not JSON (a syntax error, NaN, Infinity or -Infinity, nesting too deep) is "
    "`/problems/malformed-json`"
)
IF_NONE_MATCH = {
    "name": "If-None-Match",
    "in": "header",
    "required": False,
    "description": "the `ETag` of an answer held: `304 Not Modified`, without a body, while it still holds",
    "schema": {"type": "string"},
}
RATE_LIMIT_HEADERS = {
    "X-RateLimit-Limit": "requests allowed in the current window to this client (by account or network address)",
    "X-RateLimit-Remaining": "requests left in the window; each API worker counts its own unless the limits' "
    "storage is shared (RATELIMIT_STORAGE_URI=redis://…)",
    "X-RateLimit-Reset": "unix seconds at which the window resets",
}


def document_problems(spec: dict[str, Any]) -> dict[str, Any]:
    """APIFlask documents error bodies as application/json; ours are application/problem+json. Adds the
    problems any operation can answer with."""
    spec.setdefault("components", {}).setdefault("schemas", {})["Problem"] = PROBLEM_SCHEMA
    reference = {"$ref": "#/components/schemas/Problem"}
    rate_limit_headers = {
        name: {"description": text, "schema": {"type": "integer"}} for name, text in RATE_LIMIT_HEADERS.items()
    }
    for path in spec.get("paths", {}).values():
        for operation in path.values():
            responses = operation.setdefault("responses", {})
            json_body = "application/json" in operation.get("requestBody", {}).get("content", {})
            extra = {
                **COMMON_PROBLEMS,
                **(BODY_PROBLEMS if "requestBody" in operation else {}),
                **(JSON_BODY_PROBLEMS if json_body else {}),
            }
            for status, description in extra.items():
                responses.setdefault(status, {"description": description})
            if json_body:
                responses["400"]["description"] += MALFORMED_JSON
            if "304" in responses:  # a conditional GET: the validator comes back in If-None-Match
                operation.setdefault("parameters", []).append(IF_NONE_MATCH)
            for status, response in responses.items():
                if str(status)[0] in "45":
                    response["content"] = {"application/problem+json": {"schema": reference}}
                response["headers"] = {**response.get("headers", {}), **rate_limit_headers}  # a view may share its dict
    return spec


def query_parameters_are_text(spec: dict[str, Any]) -> dict[str, Any]:
    """Pydantic documents an optional field ``X | None`` as ``anyOf: [X, null]``; in a query string a parameter is
    present (text) or absent, never null, so the document says X alone. (A generated client, or a fuzzer, that
    takes the null branch at its word sends what no query string can carry.)"""
    for path in spec.get("paths", {}).values():
        for operation in path.values():
            for parameter in operation.get("parameters", []):
                schema = parameter.get("schema", {})
                if parameter.get("in") != "query" or "anyOf" not in schema:
                    continue
                branches = [branch for branch in schema["anyOf"] if branch.get("type") != "null"]
                if len(branches) == 1:
                    rest = {k: v for k, v in schema.items() if k != "anyOf" and not (k == "default" and v is None)}
                    parameter["schema"] = {**branches[0], **rest}
    return spec
