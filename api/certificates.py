"""Verification: one certificate (now, at an instant, or straight from the contract), search, batches of numbers
or document hashes, and certificate documents checked against the hash on chain."""

from __future__ import annotations

import time
from typing import Any

from apiflask import APIBlueprint
from flask import Response
from pydantic import BaseModel
from sqlalchemy import Connection
from sqlalchemy.orm import Session

from ledger.certificates import queries
from ledger.certificates.client import certificate_id
from ledger.certificates.documents import Document, Hidden
from ledger.certificates.vocabulary import Grade, Kind, Status
from ledger.errors import UnknownCertificate
from ledger.store.models import Certificate

from . import answers
from .problems import Problem
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


def not_found(number: str) -> Problem:
    return Problem(404, "certificate-not-found", "Certificate not found", f"No certificate has the number {number!r}.")


def certificate_answer(session: Session | Connection, number: str, at: int | None = None) -> dict[str, Any]:
    """One certificate from the read model, as the API and the page show it."""
    answer = queries.certificate(session, number, at)
    if answer is None:
        if at is not None and queries.certificate(session, number) is not None:
            raise Problem(
                404, "not-yet-issued", "Not issued at that instant", f"Certificate {number!r} was issued later."
            )
        raise not_found(number)
    return answers.certificate_from_index(session, answer)


@bp.get("/certificates/<number>")
@bp.input(CertificateQuery, location="query", arg_name="query")
@bp.output(CertificateOut)
@bp.doc(summary="A certificate: status, holder, validity, history and on-chain proof", responses=NOT_FOUND)
def get_certificate(number: str, query: CertificateQuery) -> Response:
    """Answered from the read model (with the indexer's lag in `proof`), for now or for the instant `at` (e.g. a
    bid deadline). `source=chain` reads the contract at the latest block instead, trusting only the node."""
    if query.source == "chain":
        if query.at is not None:
            raise Problem(
                400, "invalid-request", "Invalid request", "at= is answered from the index only",
                errors=[{"in": "query", "field": "at", "message": "not supported with source=chain"}],
            )  # fmt: skip
        return as_json(CertificateOut, _from_chain(number))
    with services().engine.connect() as connection:  # one connection, no ORM session: the busiest endpoint
        return as_json(CertificateOut, certificate_answer(connection, number, answers.seconds(query.at)))


def as_json(model: type[BaseModel], body: dict[str, Any]) -> Response:
    """``body`` checked against ``model`` and serialised by pydantic in one pass (what @output does in three)."""
    return Response(model.model_validate(body).model_dump_json(by_alias=True), mimetype="application/json")


def _from_chain(number: str) -> dict[str, Any]:
    ledger = services()
    reader = ledger.reader()
    block = ledger.w3.eth.get_block("latest")
    cid = certificate_id(number)
    try:
        view = reader.certificate(cid)
    except UnknownCertificate:
        raise not_found(number) from None
    functions = ledger.registry.functions
    status = Status(functions.statusOf(cid).call(block_identifier=block["number"]))
    valid = functions.isValid(cid).call(block_identifier=block["number"])
    proof = {"chainId": ledger.record.chain_id, "contract": ledger.record.address, "blockNumber": block["number"]}
    with Session(ledger.engine) as session:
        return answers.certificate_from_chain(session, number, view, (status, valid, block["timestamp"]), proof)


@bp.get("/certificates")
@bp.input(SearchQuery, location="query", arg_name="query")
@bp.output(Page)
@bp.doc(summary="Search certificates by grade, province, status, kind, name prefix or expiry, page by page")
def search(query: SearchQuery) -> dict[str, Any]:
    """Ordered by certificate number; pass `next` back as `cursor` for the following page."""
    now = int(time.time())
    with Session(services().engine) as session:
        page, cursor = queries.search(
            session,
            kind=Kind[query.kind] if query.kind else None,
            grade=Grade[query.grade] if query.grade else None,
            province=query.province,
            status=Status[query.status] if query.status else None,
            name_prefix=query.name,
            expiring_before=answers.seconds(query.expiringBefore),
            cursor=query.cursor,
            limit=query.limit,
            at=now,
        )
    return {"items": [answers.summary(state, now) for state in page], "next": cursor}


@bp.post("/verify")
@bp.input(VerifyRequest, arg_name="body")
@bp.output(VerifyResponse)
@bp.doc(
    summary=f"Verify up to {MAX_BATCH:,} certificates at once, by number or by document hash",
    responses={413: f"More than {MAX_BATCH:,} items"},
)
def verify(body: VerifyRequest) -> dict[str, Any]:
    """One result per item, in the order given; an unknown item is a result (`found: false`), not a failure.
    Answered for now, or for the instant `at`."""
    if (body.numbers is None) == (body.documentHashes is None):
        raise Problem(
            400, "invalid-request", "Invalid request", "Send either numbers or documentHashes.",
            errors=[{"in": "json", "field": "numbers", "message": "exactly one of numbers, documentHashes"}],
        )  # fmt: skip
    items: list[str] = body.numbers if body.numbers is not None else body.documentHashes or []
    if len(items) > MAX_BATCH:
        raise Problem(
            413, "batch-too-large", "Batch too large", f"{len(items):,} items; at most {MAX_BATCH:,} per request."
        )
    at = answers.seconds(body.at)
    column = Certificate.number if body.numbers is not None else Certificate.document_hash
    with Session(services().engine) as session:
        states = queries.batch(session, column, items, at)
        proof = answers.index_proof(queries.index_status(session), None)
    moment = at if at is not None else int(time.time())
    return {
        "at": answers.instant(moment),
        "results": [_result(item, states.get(item), moment) for item in items],
        "proof": proof,
    }


def _result(item: str, state: dict[str, Any] | None, at: int) -> dict[str, Any]:
    if state is None:
        return {"query": item, "found": False, "error": "certificate-not-found"}
    found = answers.summary(state, at)
    return {"query": item, "found": True, **{k: found[k] for k in _RESULT_FIELDS}}


_RESULT_FIELDS = ("number", "status", "statusLabel", "valid", "kind", "grade", "name", "validUntil")


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
    document_hash = "0x" + document.hash().hex()
    with Session(services().engine) as session:
        answer = queries.certificate(session, number)
        if answer is None:
            raise not_found(number)
        proof = answers.index_proof(queries.index_status(session), answer.state)
    return {
        "number": number,
        "documentHash": document_hash,
        "onChainHash": answer.state["document_hash"],
        "matches": document_hash == answer.state["document_hash"],
        **answers.status_fields(answer.status, answer.valid),
        "hiddenFields": sorted(n for n, d in document.personal.items() if isinstance(d, Hidden)),
        "proof": proof,
    }
