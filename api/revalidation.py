"""A certificate's answer for now, revalidated (issue 16): it carries its entity tag (``ETag``, made with the kept
answer: ``api.lookups.entity_tag``), and a client or cache that sends it back in ``If-None-Match`` gets ``304 Not
Modified`` without a body while nothing the answer asserts has moved. An answer without a tag (a disputed one,
never kept) is always sent whole: a cached answer is never confirmed as still valid while the chain and the index
disagree about it.
"""

from __future__ import annotations

from flask import Response, request

# Stored, but revalidated before every use: the answer is the ledger's verdict now, and a suspension or revocation
# must reach a relying party on its next question, not after a freshness lifetime. A revalidation costs the lookup
# alone (no body is built or sent); "public": the answer is the same for every client, signed in or not.
CACHE_CONTROL = "public, max-age=0, must-revalidate"
JSON = "application/json"


def revalidated(body: str, tag: str | None) -> Response:
    """The answer's JSON with its entity tag and ``Cache-Control``; ``304`` with neither body nor content headers
    when ``If-None-Match`` names the tag (or is ``*``)."""
    if tag is not None and request.if_none_match.contains_weak(tag):
        response = Response(status=304)
    else:
        response = Response(body, mimetype=JSON)
    headers = response.headers  # neither header is set yet: added, not replaced (the busiest answer's microseconds)
    if tag is not None:
        headers.add("ETag", f'W/"{tag}"')
    headers.add("Cache-Control", CACHE_CONTROL)
    return response
