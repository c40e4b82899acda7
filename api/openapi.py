"""What the OpenAPI document says beyond what APIFlask writes: every 4xx/5xx is application/problem+json (RFC 9457),
every operation documents the problems any request can meet (bad input, a refused bearer token, a method not
allowed, a rate limit with its Retry-After, a fault, an unavailable chain or index; for a JSON body, one not sent or
not written as JSON, and that it is required) and the rate-limit headers, an operation answering 304 takes
If-None-Match, a query parameter is text or absent, never null, and each nested model is one schema."""

from __future__ import annotations

import json
from collections import defaultdict
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
    "400": "Invalid request: the offending fields are listed in `errors` (an unknown query parameter is one, and "
    "any input holding a NUL or a lone surrogate); a "
    "request the server cannot read at all (a malformed request line or header, raw non-ASCII bytes in the path) is "
    "`/problems/bad-request`",
    "405": "Method not allowed on this path",
    "414": "The request line is longer than 8 KB (`/problems/uri-too-long`)",
    "431": "A header line is longer than 8 KB, or the headers are too many (`/problems/headers-too-large`)",
    "429": "Rate limit reached: retry after `Retry-After` seconds",
    "500": "The server failed to answer; the fault has been logged (`/problems/internal-error`)",
    "503": "Chain or index unavailable, or the registry not deployed",
}
TOKEN_PROBLEMS = {
    "401": "A bearer token was sent and refused (`/problems/invalid-token`, `/problems/token-expired`): the token "
    "is optional here, but one sent must be good",
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
WWW_AUTHENTICATE = {
    "description": "`Bearer`: sign in again (`POST /api/v1/auth/nonce`, then `/api/v1/auth/login`) for a token",
    "schema": {"type": "string"},
}
RETRY_AFTER = {"description": "seconds to wait before asking again", "schema": {"type": "integer"}}
RATE_LIMIT_HEADERS = {
    "X-RateLimit-Limit": "requests allowed in the current window to this client (by account or network address)",
    "X-RateLimit-Remaining": "requests left in the window after this one, counted by every worker together: "
    "this request's own place in the window, 0 on a refusal",
    "X-RateLimit-Reset": "unix seconds (rounded up) at which the window ends and the count starts again",
}


# The schemas APIFlask registers for the error responses it writes (HTTP_ERROR_SCHEMA, VALIDATION_ERROR_SCHEMA):
# ``document_problems`` points every error response at ``Problem`` instead, and drops them.
APIFLASK_ERROR_SCHEMAS = ("HTTPError", "ValidationError")


def document_problems(spec: dict[str, Any]) -> dict[str, Any]:
    """APIFlask documents error bodies as application/json; ours are application/problem+json, one ``Problem``
    schema (APIFlask's own copies of it, ``HTTPError`` and ``ValidationError``, are left unused and removed: a
    generated client made a class of each). Adds the problems any operation can answer with."""
    spec.setdefault("components", {}).setdefault("schemas", {})["Problem"] = PROBLEM_SCHEMA
    reference = {"$ref": "#/components/schemas/Problem"}
    rate_limit_headers = {
        name: {"description": text, "schema": {"type": "integer"}} for name, text in RATE_LIMIT_HEADERS.items()
    }
    for name, path in spec.get("paths", {}).items():
        for operation in path.values():
            responses = operation.setdefault("responses", {})
            json_body = "application/json" in operation.get("requestBody", {}).get("content", {})
            extra = {
                **COMMON_PROBLEMS,
                **({} if name.startswith("/api/v1/auth/") else TOKEN_PROBLEMS),  # sign-in reads no token
                **(BODY_PROBLEMS if "requestBody" in operation else {}),
                **(JSON_BODY_PROBLEMS if json_body else {}),
            }
            for status, description in extra.items():
                responses.setdefault(status, {"description": description})
            if json_body:  # every JSON body is required: without one the answer is a 400, as for a bad one
                operation["requestBody"]["required"] = True
                responses["400"]["description"] += MALFORMED_JSON
            if "304" in responses:  # a conditional GET: the validator comes back in If-None-Match
                operation.setdefault("parameters", []).append(IF_NONE_MATCH)
            for status, response in responses.items():
                if str(status)[0] in "45":
                    response["content"] = {"application/problem+json": {"schema": reference}}
                own = {"401": {"WWW-Authenticate": WWW_AUTHENTICATE}, "429": {"Retry-After": RETRY_AFTER}}
                response["headers"] = {  # a view may share its dict
                    **response.get("headers", {}),
                    **rate_limit_headers,
                    **own.get(str(status), {}),
                }
    return _without_unused(spec, APIFLASK_ERROR_SCHEMAS)


def _without_unused(spec: dict[str, Any], names: tuple[str, ...]) -> dict[str, Any]:
    """``spec`` without the component schemas ``names`` that nothing refers to any more."""
    schemas = spec["components"]["schemas"]
    text = json.dumps(spec)
    for name in names:
        if name in schemas and f'"{SCHEMA_REF}{name}"' not in text:
            del schemas[name]
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


SCHEMA_REF = "#/components/schemas/"


def one_schema_per_model(spec: dict[str, Any]) -> dict[str, Any]:
    """APIFlask hoists each response model's nested models as ``Parent.Child``, so one model (``Dispute``,
    ``Proof``…) is published under as many names as models embed it, every copy titled alike: a generated client
    names its classes by title, found seven models called ``Dispute`` and dropped every operation that returns one.
    Copies that are the same schema become one, named by their title, until no two are left alike; a nested model
    whose title names another schema keeps its own name."""
    schemas = spec.get("components", {}).get("schemas", {})
    while True:
        by_title: dict[str, list[str]] = defaultdict(list)
        for name, schema in schemas.items():
            by_title[schema.get("title", name)].append(name)
        renames = {
            name: title
            for title, names in by_title.items()
            if title in names or title not in schemas
            if len({json.dumps(schemas[n], sort_keys=True) for n in names}) == 1
            for name in names
            if name != title
        }
        if not renames:
            return spec
        merged: dict[str, Any] = {}
        for name, schema in schemas.items():
            merged.setdefault(renames.get(name, name), schema)
        spec["components"]["schemas"] = merged
        spec = _renamed(spec, renames)
        schemas = spec["components"]["schemas"]


def _renamed(node: Any, renames: dict[str, str]) -> Any:
    """``node`` with every reference to a renamed schema pointing at its new name."""
    if isinstance(node, list):
        return [_renamed(item, renames) for item in node]
    if not isinstance(node, dict):
        return node
    reference = node.get("$ref")
    if isinstance(reference, str) and reference.startswith(SCHEMA_REF):
        name = reference.removeprefix(SCHEMA_REF)
        return {**node, "$ref": SCHEMA_REF + renames.get(name, name)}
    return {key: _renamed(value, renames) for key, value in node.items()}
