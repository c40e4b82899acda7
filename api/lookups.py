"""The busiest question, answered once per change: each worker keeps the lookups it has answered for now, as
validated response models, and serves one again while nothing it was built from has moved.

A kept answer is served again only if the certificate's row (with its links, employer, application and the
indexer's block: ``queries.row_fingerprint``) is unchanged, the registry's reading that confirmed it is still the
one the verdict cache holds (the same object: no registry log has named the certificate since), and the instant is
on the same side of the validity window's two ends (status and validity derive from nothing else). Only the parts
that move every second are made afresh: ``at`` and ``proof.indexer``, serialised alone and set into the kept
answer's JSON (the rest is serialised once, when the answer is kept). A disputed answer is never kept, so every
request for it is compared, logged and counted again. The row is read for every request: a forged row is a changed
row, and is caught as on the first lookup.

A kept answer's entity tag (its ETag, ``entity_tag``) is made with it, from what it was built from, so that a
client's revalidation costs no more than the lookup itself; a disputed answer, never kept, has none.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import time
from dataclasses import dataclass
from typing import Any, NamedTuple

from pydantic import TypeAdapter

from ledger.certificates import queries
from ledger.certificates.identifiers import normalise_number
from ledger.certificates.verdicts import Reading
from ledger.errors import ChainUnavailable

from .answers import verification
from .answers.confirmed import cannot_verify, fresh_enough
from .answers.fields import indexer_lag, instant
from .schemas import CertificateOut, IndexerLag
from .services import Services

LIMIT = 50_000  # answers kept per worker (the national register is some 17,000): past it, all are forgotten
AT, INDEXER = '"@@kept-at@@"', '"@@kept-indexer@@"'  # where the parts made afresh go in a kept answer's JSON
_INSTANT = TypeAdapter(dt.datetime)


@dataclass(frozen=True)
class Kept:
    fingerprint: tuple[Any, ...]
    reading: Reading
    window: tuple[bool, bool]
    body: CertificateOut
    json: tuple[str, str, str]  # the body's JSON before ``at``, between ``at`` and ``proof.indexer``, after it
    tag: str  # its entity tag: the same for every request it serves, in every worker


class Built(NamedTuple):
    """An answer built for this request, with its entity tag if it was kept (None: disputed, or not the registry's)."""

    body: CertificateOut
    tag: str | None


def answer(ledger: Services, number: str, max_age: int | None = None) -> CertificateOut:
    """The certificate ``number`` now, as ``verification.certificate`` answers it: kept, or built and kept."""
    found = _kept(ledger, number, max_age)
    if isinstance(found, Built):
        return found.body
    kept, lag, now = found
    proof = kept.body.proof.model_copy(update={"indexer": lag})
    return kept.body.model_copy(update={"at": instant(now), "proof": proof})


def answer_json(ledger: Services, number: str, max_age: int | None = None) -> tuple[str, str | None]:
    """``answer`` as the JSON the API sends, with its entity tag (None for an answer that is not kept): a kept
    answer's JSON with only ``at`` and ``proof.indexer`` made afresh, so that the busiest request serialises two
    small parts, not the whole answer."""
    found = _kept(ledger, number, max_age)
    if isinstance(found, Built):
        return found.body.model_dump_json(by_alias=True), found.tag
    kept, lag, now = found
    before, between, after = kept.json
    at = _INSTANT.dump_json(instant(now)).decode()
    return before + at + between + lag.model_dump_json(by_alias=True) + after, kept.tag


def _kept(ledger: Services, number: str, max_age: int | None) -> Built | tuple[Kept, IndexerLag, int]:
    """The kept answer for ``number`` that still holds, with the indexer's position and the instant now; or, if
    none holds, the answer built afresh (and kept when it may be)."""
    number = normalise_number(number)
    kept: dict[str, Kept] = ledger.kept_answers
    with ledger.engine.connect() as connection:
        row = queries.certificate_row(connection, number)
    if row is not None:
        checkpoint = fresh_enough(queries.row_checkpoint(row), max_age)
        reading = _reading(ledger, row["id"], checkpoint.block_number)
        now = int(time.time())
        hit = kept.get(number)
        if (
            hit is not None
            and reading is hit.reading
            and hit.window == reading.window(now)
            and hit.fingerprint == queries.row_fingerprint(row)
        ):
            return hit, IndexerLag.model_construct(**indexer_lag(checkpoint)), now
    body = CertificateOut.model_validate(verification.certificate(ledger, number, None, max_age))
    if row is None or reading is None or body.disputed is not None or body.id != row["id"]:
        return Built(body, None)
    if len(kept) >= LIMIT:
        kept.clear()
    built_at = int(body.at.timestamp())  # the instant its status and validity were judged at
    fingerprint, window = queries.row_fingerprint(row), reading.window(built_at)
    tag = entity_tag(fingerprint, reading, window)
    kept[number] = Kept(fingerprint, reading, window, body, _parts(body), tag)
    return Built(body, tag)


def entity_tag(fingerprint: tuple[Any, ...], reading: Reading, window: tuple[bool, bool]) -> str:
    """A kept answer's ETag: a digest of what it asserts rests on, the row as of the indexed block (its number and
    hash included), the registry's verdict fields that confirmed it and the side of the validity window now. Each
    is a value every worker reads alike (not the reading's block: a worker keeps a reading from when it first asked),
    and made once per kept answer, never per request. Sent as a weak tag (RFC 9110): two answers under one tag
    differ in ``at`` and ``proof.indexer``, which say when it was asked, not what is true."""
    return hashlib.blake2b(repr((fingerprint, reading.fields(), window)).encode(), digest_size=16).hexdigest()


def _parts(body: CertificateOut) -> tuple[str, str, str]:
    """``body``'s JSON cut where ``at`` and ``proof.indexer`` go (markers serialised in their place)."""
    marked = body.model_copy(update={"at": AT[1:-1], "proof": body.proof.model_copy(update={"indexer": INDEXER[1:-1]})})
    before, rest = marked.model_dump_json(by_alias=True, warnings=False).split(AT)
    between, after = rest.split(INDEXER)
    return before, between, after


def _reading(ledger: Services, certificate_id: str, block: int) -> Reading | None:
    try:
        return ledger.verdicts.confirm([certificate_id], block)[certificate_id]
    except ChainUnavailable as exc:
        raise cannot_verify("the chain node does not answer") from exc
