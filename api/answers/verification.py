"""Verification's answers: a certificate by number (now, at an instant, or from the contract), search, a batch of
numbers or document hashes, and a certificate document checked against its hash on chain. The page's
certificate views call the same ``certificate`` as the API. Every verdict for now is confirmed by the registry at
the indexed block (``confirmed``)."""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection
from sqlalchemy.orm import Session

from ledger.certificates import queries
from ledger.certificates.client import certificate_id
from ledger.certificates.documents import Document, Hidden
from ledger.certificates.histories import history_disagreement
from ledger.certificates.identifiers import normalise_number
from ledger.certificates.projection import Row, State, state_of
from ledger.certificates.storage_proofs import storage_proof
from ledger.certificates.verdicts import Disagreement
from ledger.certificates.vocabulary import Kind, Status
from ledger.errors import ChainUnavailable, UnknownCertificate
from ledger.store.models import Certificate

from ..problems import Problem, type_uri
from ..services import Services
from . import batch_results
from .batch_results import result_of
from .certificate import certificate_from_chain, certificate_from_index
from .confirmed import Confirmed, cannot_verify, checkpoint_of, confirm, fresh_enough, kept, settled
from .fields import grade_name, hexed, index_proof, instant, status_fields, summary, window_end


def not_found(number: str) -> Problem:
    return Problem(404, "certificate-not-found", "Certificate not found", f"No certificate has the number {number!r}.")


def certificate(ledger: Services, number: str, at: int | None = None, max_age: int | None = None) -> dict[str, Any]:
    """One certificate from the read model, now or at ``at``; for now, its verdict confirmed by the registry at the
    indexed block. One connection and no ORM session: this is the busiest question the API is asked. The number is
    folded as printed (``normalise_number``). ``max_age``: refuse (``cannot-verify``) if the index last reached the
    chain longer ago than that."""
    number = normalise_number(number)
    with ledger.engine.connect() as connection:
        if at is not None:
            return _at_instant(ledger, connection, number, at, max_age)
        answer = queries.certificate(connection, number)
        if answer is None:
            checkpoint = checkpoint_of(connection, max_age)
            return _missing_from_index(ledger, number, checkpoint.block_number)
        checkpoint = fresh_enough(answer.checkpoint, max_age)
        (confirmed,) = confirm(ledger.verdicts, [answer.state], checkpoint.block_number)
        if confirmed is None:  # not the registry's certificate of this number: recorded, never served
            return _missing_from_index(ledger, number, checkpoint.block_number)
        if confirmed.disputed:
            answer = queries.reanswer(connection, answer, confirmed.state)
        body = certificate_from_index(connection, answer, checkpoint, confirmed_block=checkpoint.block_number)
        return {**body, "disputed": confirmed.dispute()}


def _at_instant(ledger: Services, connection: Connection, number: str, at: int, max_age: int | None) -> dict[str, Any]:
    """An instant's answer: the fold of the certificate's history up to ``at``, its rows confirmed against the
    registry's own logs (``histories``). Where the two differ, the answer is folded from the logs, says
    ``disputed`` (field ``history``), and the disagreement is logged and counted as any other."""
    row = queries.certificate_row(connection, number)
    if row is None:
        checkpoint = checkpoint_of(connection, max_age)
        _missing_from_index(ledger, number, checkpoint.block_number)  # not found, unless the registry holds it
        raise cannot_verify(f"the read model lacks the history of {number}, which the registry holds")
    block = fresh_enough(queries.row_checkpoint(row), max_age).block_number
    try:
        logged = ledger.histories([row["id"]], block)[row["id"]]
    except ChainUnavailable as exc:
        raise cannot_verify("the chain node does not answer") from exc
    stored = queries.history(connection, row["id"])
    found = history_disagreement(stored, logged, block)
    if found is not None:
        ledger.verdicts.record_dispute(row["id"], number, [found])
    answer = queries.answer_from_row(connection, row, at, stored if found is None else logged)
    if answer is None:
        raise Problem(404, "not-yet-issued", "Not issued at that instant", f"Certificate {number!r} was issued later.")
    body = certificate_from_index(connection, answer, answer.checkpoint)
    return {**body, "disputed": None if found is None else Confirmed(answer.state, [found]).dispute()}


def _missing_from_index(ledger: Services, number: str, block: int) -> dict[str, Any]:
    """A number the read model does not know: unknown, unless the registry holds it (a deleted row); then the
    answer is the registry's own, marked as disputed."""
    cid = hexed(certificate_id(number))
    try:
        reading = ledger.verdicts.confirm([cid], block)[cid]
    except ChainUnavailable as exc:
        raise cannot_verify("the chain node does not answer") from exc
    if reading is None:
        raise not_found(number)
    missing = [Disagreement("record", None, "present")]
    ledger.verdicts.record_dispute(cid, number, missing)
    answer = certificate_on_chain(ledger, number, block)
    return {**answer, "disputed": Confirmed(answer, missing).dispute()}  # type: ignore[arg-type]


def storage_of(ledger: Services, numbers: Sequence[str], block: int) -> dict[str, Any]:
    """The EIP-1186 proof of ``numbers``' verdict slots at ``block`` with its header (``storage_proofs``)."""
    try:
        return storage_proof(ledger.w3, ledger.record.address, numbers, block)
    except ChainUnavailable as exc:
        raise cannot_verify(f"the node gives no storage proof at block {block}") from exc


def certificate_on_chain(ledger: Services, number: str, block: int | None = None) -> dict[str, Any]:
    """The certificate as the contract holds it at ``block`` (the latest by default): for who trusts only the
    node."""
    reader = ledger.client()
    header = ledger.w3.eth.get_block("latest" if block is None else block)
    number = normalise_number(number)
    cid = certificate_id(number)
    try:
        view = reader.certificate(cid, block=header["number"])
    except UnknownCertificate:
        raise not_found(number) from None
    functions = ledger.registry.functions
    status = Status(functions.statusOf(cid).call(block_identifier=header["number"]))
    valid = functions.isValid(cid).call(block_identifier=header["number"])
    proof = {"chainId": ledger.record.chain_id, "contract": ledger.record.address, "blockNumber": header["number"]}
    with Session(ledger.engine) as session:
        answer = certificate_from_chain(session, number, view, (status, valid, header["timestamp"]), proof)
    return {**answer, "disputed": None}


def search(ledger: Services, **filters: Any) -> dict[str, Any]:
    """One page of ``queries.search`` (its keyword filters, ``cursor`` and ``limit``), judged now with the verdicts
    the registry confirms."""
    now = int(time.time())
    with Session(ledger.engine) as session:
        checkpoint, (page, cursor) = settled(session, lambda: queries.search(session, **filters, at=now))
    block = checkpoint.block_number
    items = [summary(c.state, now, c.dispute()) for c in kept(ledger.verdicts, page, block)]
    return {"items": items, "next": cursor}


def batch(
    ledger: Services, items: Sequence[str], *, by_hash: bool, at: int | None, max_age: int | None = None
) -> dict[str, Any]:
    """One result per item, in the order given, by certificate number (or by document hash); an unknown item is
    a result (``found: false``). Answered for now, or for the instant ``at``; for now, every verdict confirmed by
    the registry in one batched read (numbers the read model lacks are asked too: a deleted row is found), each
    result kept while its row and reading hold (``batch_results``)."""
    column = Certificate.document_hash if by_hash else Certificate.number
    keys = items if by_hash else [normalise_number(item) for item in items]
    with Session(ledger.engine) as session:

        def read() -> tuple[dict[str, Any], dict[str, list[Row]]]:
            rows = queries.batch(session, column, keys)
            return rows, ({} if at is None else queries.histories(session, [row[queries.ID] for row in rows.values()]))

        checkpoint, (rows, stored) = settled(session, read, max_age)
    block = checkpoint.block_number
    proof = index_proof(checkpoint, None, confirmed_block=None if at is not None else block)
    moment = at if at is not None else int(time.time())
    found: dict[str, dict[str, Any] | None] = {}
    absent: dict[str, Any] = {}
    states: dict[str, State | None] = {}
    if at is None:
        found = batch_results.results(ledger, rows, block, moment)
        if not by_hash:  # what the read model lacks, or holds under a number the registry does not
            unknown = [key for key in dict.fromkeys(keys) if found.get(key) is None]
            absent = _on_chain_only(ledger, unknown, block)
    else:
        current = {key: state_of(row._mapping) for key, row in rows.items()}
        states, confirmed = _histories_confirmed(ledger, current, stored, block, at)
        found = {key: None if c is None else result_of(c, moment, at) for key, c in confirmed.items()}
    results = []
    for item, key in zip(items, keys, strict=True):
        if key in absent:
            results.append(absent[key] | {"query": item})
        elif found.get(key) is not None:
            results.append({"query": item, **found[key]})  # type: ignore[dict-item]
        elif at is not None and key in states:
            results.append(_unanswered(item, True, "not-yet-issued"))
        else:
            results.append(_unanswered(item, False, "certificate-not-found"))
    return {"at": instant(moment), "results": results, "proof": proof}


def _histories_confirmed(
    ledger: Services, current: dict[str, State], stored: dict[str, list[Row]], block: int, at: int
) -> tuple[dict[str, State | None], dict[str, Confirmed | None]]:
    """A batch's states at ``at`` (None: not issued by then), each folded from the certificate's stored history
    once the registry's logs confirm it (one batch of log queries for all); a history in dispute is folded from
    the logs instead, and recorded."""
    ids = {key: state["id"] for key, state in current.items()}
    try:
        logged = ledger.histories(list(dict.fromkeys(ids.values())), block)
    except ChainUnavailable as exc:
        raise cannot_verify("the chain node does not answer") from exc
    states: dict[str, State | None] = {}
    confirmed: dict[str, Confirmed | None] = {}
    for key, cid in ids.items():
        found = history_disagreement(stored[cid], logged[cid], block)
        if found is not None:
            ledger.verdicts.record_dispute(cid, key, [found])
        state = states[key] = queries.state_at(stored[cid] if found is None else logged[cid], at)
        if state is not None:
            confirmed[key] = Confirmed(state, [] if found is None else [found])
    return states, confirmed


def _unanswered(item: str, found: bool, code: str) -> dict[str, Any]:
    """A batch item without a verdict: why, as the problem type a lookup of it answers (and, for the clients written
    before the type was given, its code alone)."""
    return {"query": item, "found": found, "error": code, "errorType": type_uri(code)}


def _on_chain_only(ledger: Services, numbers: list[str], block: int) -> dict[str, dict[str, Any]]:
    """Results for the numbers the read model lacks but the registry holds (deleted rows), as disputed."""
    ids = {hexed(certificate_id(number)): number for number in numbers}
    try:
        readings = ledger.verdicts.confirm(ids, block)
    except ChainUnavailable as exc:
        raise cannot_verify("the chain node does not answer") from exc
    found = {}
    now = int(time.time())
    for cid, reading in readings.items():
        if reading is None:
            continue
        missing = [Disagreement("record", None, "present")]
        ledger.verdicts.record_dispute(cid, ids[cid], missing)
        state = reading.fields()
        found[ids[cid]] = {
            "found": True,
            "number": ids[cid],
            **status_fields(queries.derived_status(state, now), queries.is_valid(state, now)),  # type: ignore[arg-type]
            "kind": Kind(reading.kind).name,
            "grade": grade_name(reading.grade),
            "name": None,  # the contract stores no names: they are in its events, which the read model lacks here
            **window_end(reading.valid_until),
            "disputed": Confirmed(state, missing).dispute(),  # type: ignore[arg-type]
        }
    return found


def document_check(ledger: Services, document: Document, number: str) -> dict[str, Any]:
    """The document's recomputed hash against the certificate ``number``'s current hash on chain (read from the
    registry at the indexed block); personal fields may have been replaced by their commitments, which leaves the
    hash as it was."""
    document_hash = hexed(document.hash())
    number = normalise_number(number)
    with Session(ledger.engine) as session:
        answer = queries.certificate(session, number)
        if answer is None:
            raise not_found(number)
        checkpoint = answer.checkpoint
        (confirmed,) = confirm(ledger.verdicts, [answer.state], checkpoint.block_number)
        if confirmed is None:
            raise not_found(number)
        proof = index_proof(checkpoint, answer.state, confirmed_block=checkpoint.block_number)
    state, now = confirmed.state, int(time.time())
    return {
        "number": number,
        "documentHash": document_hash,
        "onChainHash": state["document_hash"],
        "matches": document_hash == state["document_hash"],
        **status_fields(queries.derived_status(state, now), queries.is_valid(state, now)),
        "hiddenFields": sorted(n for n, d in document.personal.items() if isinstance(d, Hidden)),
        "disputed": confirmed.dispute(),
        "proof": proof,
    }
