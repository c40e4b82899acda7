"""The catalogue of problem types: what each `type` URI of an error means, served at `/problems/<code>` (the URI an
error names) and `/problems` (issue 16: the URIs answered 404 and nothing listed them).

Three sources, each the one place its codes are defined: the API's own problems (below), the wallet's refusals of
a signature (`wallet/errors.py`: their `code` and docstring) and the contract's named errors (`ledger/errors.py`,
kebab case, always 409)."""

from __future__ import annotations

import inspect
from functools import cache
from typing import Any

from apiflask import APIBlueprint
from pydantic import BaseModel

from ledger.errors import REVERTS
from wallet import errors as refusals

from .problems import Problem, kebab, refusal_status, type_uri

bp = APIBlueprint("problem_types", __name__, url_prefix="/problems", tag="Problem types")

API_PROBLEMS: dict[str, tuple[int, str]] = {
    "invalid-request": (400, "The request does not fit the operation: `errors` lists each offending field (`in`, "
                        "`field`, `message`); unknown query parameters are refused too, and any input holding a NUL "
                        "(U+0000) or a lone surrogate, which no database stores."),
    "malformed-json": (400, "The request body is not JSON (RFC 8259): a syntax error, `NaN`, `Infinity` or "
                       "`-Infinity` (which JSON does not have), or nesting deeper than the parser takes."),
    "invalid-cursor": (400, "The page cursor is not one this server handed out, or pages another query (other "
                       "filters or limit)."),
    "invalid-form": (400, "A console or portal form cannot make its act: `errors` names each input (in Chinese)."),
    "invalid-document": (400, "The certificate document does not fit its schema; `errors` names the field."),
    "batch-too-large": (400, "A batch holds at most 1,000 items."),
    "bad-request": (400, "The server cannot read the request: a malformed request line or header, or raw "
                    "non-ASCII bytes in the path (percent-encode them)."),
    "not-signed-in": (401, "The operation needs `Authorization: Bearer <token>` from `POST /api/v1/auth/login`."),
    "invalid-token": (401, "The bearer token is malformed, or was not issued by this server for this chain."),
    "token-expired": (401, "The bearer token has expired: sign in again."),
    "csrf-token-missing": (403, "A post of the console, portal or notices pages without its session's CSRF token "
                           "(header X-CSRFToken): reload the page."),
    "not-your-act": (403, "The act posted from a page is signed by another account than the one signed in."),
    "certificate-not-found": (404, "No certificate has this number (after folding full-width characters, spaces "
                              "and case)."),
    "not-yet-issued": (404, "The certificate exists, but was issued after the instant `at` asked about."),
    "firm-not-found": (404, "No firm has this unified social credit code in the register."),
    "planner-not-found": (404, "No registered planner has this registration number."),
    "application-not-found": (404, "No application has this id."),
    "list-not-found": (404, "The list is `honesty`, `yellow` or `black`."),
    "round-not-found": (404, "No random-inspection round has this id."),
    "transaction-not-found": (404, "The chain knows no transaction with this hash."),
    "problem-type-not-found": (404, "No problem type has this code: `GET /problems` lists them."),
    "file-not-found": (404, "The dossier store holds no file with this hash."),
    "request-timeout": (408, "The client stopped sending its headers or its announced body for longer than the "
                        "proxy waits between two reads; the request was dropped."),
    "file-too-large": (413, "The file is larger than the dossier store's limit (`limit`, in bytes)."),
    "unsupported-file-type": (415, "A dossier file is a PDF, PNG or JPEG by its bytes, sent with that Content-Type."),
    "unsupported-media-type": (415, "The operation reads a JSON body: send it with Content-Type `application/json` "
                               "(or a `+json` type); `Accept` names the type taken."),
    "not-found": (404, "No operation has this path (the API's paths: `GET /api/v1/openapi.json`)."),
    "method-not-allowed": (405, "The path does not take this method."),
    "request-too-large": (413, "The body is larger than 2 MiB (JSON); a dossier file has the store's own limit."),
    "uri-too-long": (414, "The request line is longer than 8 KB; a batch of numbers goes in the body of "
                     "`POST /api/v1/verify`."),
    "headers-too-large": (431, "A request header line is longer than 8 KB, or the request has more headers than "
                          "the server takes (100 lines; behind the production profile's proxy, 32 KB in all)."),
    "expectation-failed": (417, "The request's `Expect` header asks for something other than `100-continue`."),
    "forbidden-by-server": (403, "The server refuses the connection before reading the request: a PROXY protocol "
                            "header from an address not allowed to send one."),
    "transfer-coding-not-implemented": (501, "The request's Transfer-Encoding names a coding the server does not "
                                        "implement: send the body as it is, or `chunked`."),
    "rate-limited": (429, "Too many requests from this client: retry after `Retry-After` seconds."),
    "internal-error": (500, "The server failed to answer; the fault has been logged."),
    "stored-file-corrupt": (500, "The stored file no longer matches its hash; the fault has been logged."),
    "bad-gateway": (502, "The proxy reached no API instance that answers; try again shortly."),
    "gateway-timeout": (504, "No API instance answered the proxy in time; try again shortly."),
    "too-many-connections": (503, "This client holds more connections open to the proxy than it allows; close some."),
    "chain-unavailable": (503, "The chain node does not answer; try again shortly."),
    "cannot-verify": (
        503,
        "The verdict cannot be confirmed against the registry contract now (the node does not answer, or the index's "
        "view of the chain is older than `maxAge`): no verdict is given from the database alone.",
    ),
    "database-unavailable": (503, "The read model's database does not answer."),
    "index-disputed": (
        503,
        "The read model disagrees with the registry contract on some certificate (listed in `disputes`); answers "
        "for it give the contract's verdict and say `disputed`. `ledger reindex` rebuilds the read model.",
    ),
    "index-behind": (503, "The indexer is further behind the chain than the server accepts."),
    "index-not-ready": (503, "The indexer has not read the registry yet."),
    "not-deployed": (503, "No live registry deployment is recorded for this server."),
    "relay-unavailable": (503, "Signed acts cannot be relayed now (the relayer's key is out of reach)."),
}  # fmt: skip


@cache
def catalogue() -> dict[str, dict[str, Any]]:
    """Every problem type by code: its status and what it means."""
    entries = {code: (status, text) for code, (status, text) in API_PROBLEMS.items()}
    for refusal in _subclasses(refusals.SignatureRefused):
        entries[refusal.code] = (refusal_status(refusal), inspect.getdoc(refusal) or refusal.code)
    for name, error in REVERTS.items():
        entries[kebab(name)] = (409, f"The contract refuses the act ({name}): {inspect.getdoc(error) or name}")
    return {
        code: {"type": type_uri(code), "code": code, "status": status, "description": text}
        for code, (status, text) in sorted(entries.items())
    }


def _subclasses(base: type[refusals.WalletError]) -> list[type[refusals.WalletError]]:
    found = []
    for cls in base.__subclasses__():
        found += [cls, *_subclasses(cls)]
    return found


class ProblemType(BaseModel):
    type: str
    code: str
    status: int
    description: str


class ProblemTypes(BaseModel):
    problems: list[ProblemType]


@bp.get("")
@bp.output(ProblemTypes)
@bp.doc(summary="Every problem type an error of this API can name, with its status and meaning")
def list_problem_types() -> dict[str, Any]:
    return {"problems": list(catalogue().values())}


@bp.get("/<code>")
@bp.output(ProblemType)
@bp.doc(summary="What one problem type means (the `type` URI of an error)", responses=[404])
def problem_type(code: str) -> dict[str, Any]:
    entry = catalogue().get(code)
    if entry is None:
        raise Problem(404, "problem-type-not-found", "Problem type not found", f"No problem type is named {code!r}.")
    return entry
