"""Verification: one certificate (now, at an instant, or straight from the contract), search, batches of numbers
or document hashes, and certificate documents checked against the hash on chain. The views parse and check the
request; the answers are built in ``api.answers.verification``, which the public page shares."""

from __future__ import annotations

from typing import Any

from apiflask import APIBlueprint
from flask import Response
from pydantic import BaseModel

from ledger.certificates.documents import Document
from ledger.certificates.vocabulary import Grade, Kind, Status

from . import cursors, lookups
from .answers import seconds, verification
from .problems import Problem
from .revalidation import CACHE_CONTROL, revalidated
from .schemas import (
    MAX_BATCH,
    CertificateDocument,
    CertificateOut,
    CertificateQuery,
    DocumentCheck,
    Page,
    SearchQuery,
    VerifyRequest,
    VerifyResponse,
)
from .services import services

bp = APIBlueprint("certificates", __name__, url_prefix="/api/v1", tag="Verification")

NOT_FOUND = {404: "No certificate has this number"}
CANNOT_VERIFY = {
    503: "cannot-verify: the verdict cannot be confirmed against the registry (no node, or the index's view of the "
    "chain is older than maxAge)"
}


VALIDATOR_HEADERS: dict[str, dict[str, Any]] = {
    "ETag": {
        "description": "the answer for now (no `at`, `source` or `proof`): a weak tag of the index position it rests "
        "on (the certificate's row at the indexed block, the registry's confirming reading, the validity window); "
        "absent on a disputed answer, which is never revalidated",
        "schema": {"type": "string"},
    },
    "Cache-Control": {
        "description": f"the answer for now: `{CACHE_CONTROL}` (stored, revalidated before every use)",
        "schema": {"type": "string"},
    },
}
LOOKUP_RESPONSES: dict[int | str, dict[str, str | dict[str, dict[str, Any]]]] = {
    200: {"description": "The certificate", "headers": VALIDATOR_HEADERS},
    304: {
        "description": "Not modified: `If-None-Match` names this answer's `ETag`, and nothing it asserts moved",
        "headers": VALIDATOR_HEADERS,
    },
    404: {"description": NOT_FOUND[404]},
    503: {"description": CANNOT_VERIFY[503]},
}


@bp.get("/certificates/<number>")
@bp.input(CertificateQuery, location="query", arg_name="query")
@bp.output(CertificateOut)
@bp.doc(
    summary="A certificate: status, holder, validity, history and on-chain proof",
    responses=LOOKUP_RESPONSES,
)
def get_certificate(number: str, query: CertificateQuery) -> Response:
    """Answered from the read model for now or for the instant `at` (e.g. a bid deadline); for now, the verdict
    fields are confirmed by the registry contract at the indexed block (`proof.confirmedBlock`), and where the two
    disagree the answer gives the contract's values and says `disputed`. `proof.indexer` says how old the index's
    view of the chain is (`chainReachable`, `lagSeconds`); with `maxAge` an older view is a 503 `cannot-verify`.
    `source=chain` reads the contract at the latest block instead, trusting only the node. The answer for now
    carries an `ETag`: sent back in `If-None-Match`, it is answered `304` without a body while the index position
    the answer rests on holds (a disputed answer has none and is always sent whole)."""
    if query.proof is not None and (query.source == "chain" or query.at is not None):
        raise invalid_request(
            "proof=storage proves the verdict for now, at the indexed block", "query", "proof",
            "not supported with at or source=chain",
        )  # fmt: skip
    if query.source == "chain":
        if query.at is not None:
            raise invalid_request(
                "at= is answered from the index only", "query", "at", "not supported with source=chain"
            )
        return as_json(CertificateOut, verification.certificate_on_chain(services(), number))
    if query.at is None and query.proof is None:
        return revalidated(*lookups.answer_json(services(), number, query.maxAge))
    if query.at is None:
        body = lookups.answer(services(), number, query.maxAge)
        block = body.proof.confirmedBlock or body.proof.blockNumber
        storage = verification.storage_of(services(), [body.number], block)
        body = body.model_copy(update={"proof": body.proof.model_copy(update={"storage": storage})})
        return Response(body.model_dump_json(by_alias=True), mimetype="application/json")
    return as_json(CertificateOut, verification.certificate(services(), number, seconds(query.at), query.maxAge))


def invalid_request(detail: str, location: str, field: str, message: str) -> Problem:
    """A request the schema lets through but the API refuses, shaped as schema refusals are (one ``errors`` row)."""
    errors = [{"in": location, "field": field, "message": message}]
    return Problem(400, "invalid-request", "Invalid request", detail, errors=errors)


def as_json(model: type[BaseModel], body: dict[str, Any]) -> Response:
    """``body`` checked against ``model`` and serialised by pydantic in one pass (what @output does in three)."""
    return Response(model.model_validate(body).model_dump_json(by_alias=True), mimetype="application/json")


@bp.get("/certificates")
@bp.input(SearchQuery, location="query", arg_name="query")
@bp.output(Page)
@bp.doc(summary="Search certificates by grade, province, status, kind, name prefix or expiry, page by page")
def search(query: SearchQuery) -> dict[str, Any]:
    """Ordered by certificate number; pass `next` back as `cursor`, with the same filters and `limit`, for the
    following page (a cursor is signed and bound to its query: another query's is refused)."""
    asked = query.model_dump()
    page = verification.search(
        services(),
        kind=Kind[query.kind] if query.kind else None,
        grade=Grade[query.grade] if query.grade else None,
        province=query.province,
        status=Status[query.status] if query.status else None,
        name_prefix=query.name,
        expiring_before=seconds(query.expiringBefore),
        cursor=cursors.unsign(query.cursor, asked),
        limit=query.limit,
    )
    return {**page, "next": cursors.sign(page["next"], asked)}


@bp.post("/verify")
@bp.input(VerifyRequest, arg_name="body")
@bp.output(VerifyResponse)
@bp.doc(
    summary=f"Verify up to {MAX_BATCH:,} certificates at once, by number or by document hash",
    responses={413: f"More than {MAX_BATCH:,} items", **CANNOT_VERIFY},
)
def verify(body: VerifyRequest) -> Response:
    """One result per item, in the order given; an unknown item is a result (`found: false`), not a failure.
    Answered for now, or for the instant `at`."""
    if (body.numbers is None) == (body.documentHashes is None):
        raise invalid_request(
            "Send either numbers or documentHashes.", "json", "numbers", "exactly one of numbers, documentHashes"
        )
    items: list[str] = body.numbers if body.numbers is not None else body.documentHashes or []
    if len(items) > MAX_BATCH:
        raise Problem(
            413, "batch-too-large", "Batch too large", f"{len(items):,} items; at most {MAX_BATCH:,} per request."
        )
    if body.proof is not None and body.at is not None:
        raise invalid_request(
            "proof=storage proves the verdicts for now, at the indexed block", "json", "proof", "not supported with at"
        )
    answer = verification.batch(
        services(), items, by_hash=body.numbers is None, at=seconds(body.at), max_age=body.maxAge
    )
    if body.proof == "storage":
        found = [r["number"] for r in answer["results"] if r.get("number") and r.get("status")]
        block = answer["proof"]["confirmedBlock"]
        answer["proof"]["storage"] = verification.storage_of(services(), found, block) if found else None
    return as_json(VerifyResponse, answer)


@bp.post("/verify/document")
@bp.input(CertificateDocument, arg_name="body")
@bp.output(DocumentCheck)
@bp.doc(
    summary="Check a certificate document (personal fields may be hidden) against the hash on chain",
    responses=NOT_FOUND,
)
def verify_document(body: CertificateDocument) -> dict[str, Any]:
    """The document as issued (`ledger` writes it), optionally with personal fields replaced by their
    commitments; its hash is recomputed and compared with the certificate's current hash on chain."""
    document = Document.from_json(body.document())
    number = document.public.get("number")
    if not isinstance(number, str):
        raise Problem(400, "invalid-document", "Invalid certificate document", "The document has no number.")
    return verification.document_check(services(), document, number)
