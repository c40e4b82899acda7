"""Verification's answers: a certificate by number (now, at an instant, or from the contract), search, a batch of
numbers or document hashes, and a certificate document checked against its hash on chain. The page's
certificate views call the same ``certificate`` as the API."""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from ledger.certificates import queries
from ledger.certificates.client import certificate_id
from ledger.certificates.documents import Document, Hidden
from ledger.certificates.identifiers import normalise_number
from ledger.certificates.projection import State
from ledger.certificates.vocabulary import Status
from ledger.errors import UnknownCertificate
from ledger.store.models import Certificate

from ..problems import Problem
from ..services import Services
from .certificate import certificate_from_chain, certificate_from_index
from .fields import hexed, index_proof, instant, status_fields, summary

RESULT_FIELDS = ("number", "status", "statusLabel", "valid", "kind", "grade", "name", "validUntil")


def not_found(number: str) -> Problem:
    return Problem(404, "certificate-not-found", "Certificate not found", f"No certificate has the number {number!r}.")


def certificate(engine: Engine, number: str, at: int | None = None) -> dict[str, Any]:
    """One certificate from the read model, now or at ``at``. One connection and no ORM session: this is the
    busiest question the API is asked. The number is folded as printed (``normalise_number``)."""
    number = normalise_number(number)
    with engine.connect() as connection:
        answer = queries.certificate(connection, number, at)
        if answer is None:
            if at is not None and queries.certificate(connection, number) is not None:
                raise Problem(
                    404, "not-yet-issued", "Not issued at that instant", f"Certificate {number!r} was issued later."
                )
            raise not_found(number)
        return certificate_from_index(connection, answer)


def certificate_on_chain(ledger: Services, number: str) -> dict[str, Any]:
    """The certificate as the contract holds it at the latest block: for who trusts only the node."""
    reader = ledger.client()
    block = ledger.w3.eth.get_block("latest")
    number = normalise_number(number)
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
        return certificate_from_chain(session, number, view, (status, valid, block["timestamp"]), proof)


def search(engine: Engine, **filters: Any) -> dict[str, Any]:
    """One page of ``queries.search`` (its keyword filters, ``cursor`` and ``limit``), judged now."""
    now = int(time.time())
    with Session(engine) as session:
        page, cursor = queries.search(session, **filters, at=now)
    return {"items": [summary(state, now) for state in page], "next": cursor}


def batch(engine: Engine, items: Sequence[str], *, by_hash: bool, at: int | None) -> dict[str, Any]:
    """One result per item, in the order given, by certificate number (or by document hash); an unknown item is
    a result (``found: false``). Answered for now, or for the instant ``at``."""
    column = Certificate.document_hash if by_hash else Certificate.number
    keys = items if by_hash else [normalise_number(item) for item in items]
    with Session(engine) as session:
        states = queries.batch(session, column, keys, at)
        proof = index_proof(queries.index_status(session), None)
    moment = at if at is not None else int(time.time())
    return {
        "at": instant(moment),
        "results": [_result(item, states.get(key), moment) for item, key in zip(items, keys, strict=True)],
        "proof": proof,
    }


def _result(item: str, state: State | None, at: int) -> dict[str, Any]:
    if state is None:
        return {"query": item, "found": False, "error": "certificate-not-found"}
    found = summary(state, at)
    return {"query": item, "found": True, **{k: found[k] for k in RESULT_FIELDS}}


def document_check(engine: Engine, document: Document, number: str) -> dict[str, Any]:
    """The document's recomputed hash against the certificate ``number``'s current hash on chain (as indexed);
    personal fields may have been replaced by their commitments, which leaves the hash as it was."""
    document_hash = hexed(document.hash())
    number = normalise_number(number)
    with Session(engine) as session:
        answer = queries.certificate(session, number)
        if answer is None:
            raise not_found(number)
        proof = index_proof(queries.index_status(session), answer.state)
    return {
        "number": number,
        "documentHash": document_hash,
        "onChainHash": answer.state["document_hash"],
        "matches": document_hash == answer.state["document_hash"],
        **status_fields(answer.status, answer.valid),
        "hiddenFields": sorted(n for n, d in document.personal.items() if isinstance(d, Hidden)),
        "proof": proof,
    }
