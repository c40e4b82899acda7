"""Cross-origin reads of the public verification API (issue 16): a tender platform's web front end calls the lookups,
the search, the batch and the document check, the firms, planners, credit, lists, inspections, applications and
notices from its own origin. Nothing else answers cross-origin: acts, sign-in, presentations, dossier files, the
console and the portal keep the same-origin rule, so no other site's page can relay through a visitor's browser or
drive its session.

Origins are configuration, ``CORS_ORIGINS``: ``*`` (the default: the data are public) or origins separated by spaces
or commas (each answered with itself, and ``Vary: Origin`` for the caches), or empty for none. Cookies are never
allowed cross-origin (no ``Access-Control-Allow-Credentials``); a bearer token may be sent in ``Authorization``. The
rate-limit headers, ``Retry-After`` and ``ETag`` are exposed to the page's script.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from flask import Flask, Response, current_app, request

EXTENSION = "cors"
PUBLIC_BLUEPRINTS = frozenset({"certificates", "registrants", "credit", "applications"})
ALLOWED_HEADERS = "Authorization, Content-Type, If-None-Match"
EXPOSED_HEADERS = "ETag, Retry-After, X-RateLimit-Limit, X-RateLimit-Remaining, X-RateLimit-Reset"
# A browser asks again after an hour per path: a narrowed CORS_ORIGINS reaches every page within it.
PREFLIGHT_MAX_AGE = "3600"
_ORIGIN = re.compile(r"https?://[^\s/?#]+")


@dataclass(frozen=True)
class Origins:
    """Which origins may read: any (``*``), or these."""

    any: bool
    listed: frozenset[str]

    @classmethod
    def parse(cls, setting: str) -> Origins:
        """CORS_ORIGINS: ``*``, or ``scheme://host[:port]`` origins separated by spaces or commas."""
        entries = setting.replace(",", " ").split()
        wrong = [entry for entry in entries if entry != "*" and not _ORIGIN.fullmatch(entry)]
        if wrong:
            raise ValueError(f"CORS_ORIGINS: not an origin (scheme://host[:port]) or *: {', '.join(wrong)}")
        return cls("*" in entries, frozenset(entry.lower() for entry in entries if entry != "*"))


def _allow(response: Response) -> Response:
    """After a public read (its answer, a problem or the preflight Flask answers for OPTIONS): who may read it."""
    if request.blueprint not in PUBLIC_BLUEPRINTS:
        return response
    origins: Origins = current_app.extensions[EXTENSION]
    headers = response.headers  # no view sets these: added, not replaced (the busiest answer's microseconds)
    if origins.any:
        headers.add("Access-Control-Allow-Origin", "*")
    else:
        headers.add("Vary", "Origin")
        origin = request.headers.get("Origin", "")
        if origin.lower() not in origins.listed:
            return response
        headers.add("Access-Control-Allow-Origin", origin)
    headers.add("Access-Control-Expose-Headers", EXPOSED_HEADERS)
    if request.method == "OPTIONS" and request.url_rule is not None:
        methods = sorted((request.url_rule.methods or set()) - {"OPTIONS"})
        headers.add("Access-Control-Allow-Methods", ", ".join(methods))
        headers.add("Access-Control-Allow-Headers", ALLOWED_HEADERS)
        headers.add("Access-Control-Max-Age", PREFLIGHT_MAX_AGE)
    return response


def init_app(app: Flask) -> None:
    app.extensions[EXTENSION] = Origins.parse(app.config["CORS_ORIGINS"])
    app.after_request(_allow)


RESPONSE_HEADERS = {
    "Access-Control-Allow-Origin": "`*`, or the request's `Origin` when CORS_ORIGINS lists it (then with "
    "`Vary: Origin`); absent for an origin not listed",
    "Access-Control-Expose-Headers": EXPOSED_HEADERS + ": readable by a cross-origin page's script",
}


def document(spec: dict[str, Any], app: Flask) -> dict[str, Any]:
    """The operations that answer cross-origin say so in the OpenAPI document: every response of theirs names the
    CORS headers (a preflight, ``OPTIONS`` with ``Access-Control-Request-Method``, is answered on their paths)."""
    headers = {name: {"description": text, "schema": {"type": "string"}} for name, text in RESPONSE_HEADERS.items()}
    for rule in app.url_map.iter_rules():
        if rule.endpoint.partition(".")[0] not in PUBLIC_BLUEPRINTS:
            continue
        path = spec["paths"].get(re.sub(r"<([^<:]+:)?", "{", rule.rule).replace(">", "}"), {})  # as APIFlask writes it
        for method in (rule.methods or set()) & {"GET", "POST"}:
            for response in path.get(method.lower(), {}).get("responses", {}).values():
                response["headers"] = {**response.get("headers", {}), **headers}
    return spec
