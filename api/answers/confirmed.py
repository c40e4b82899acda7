"""Verdicts the chain confirms: every read-model state an answer judges is first checked against the registry's
own reading at the indexed block (``ledger.certificates.verdicts``). Where they agree the answer is the index's;
where they do not, the answer is built on the chain's values, names every field in dispute with both values, and
the disagreement is logged and counted for /readyz. A chain that cannot be asked gives ``cannot-verify``, never a
verdict from the database alone."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy import Connection
from sqlalchemy.orm import Session

from ledger.certificates import queries
from ledger.certificates.histories import HISTORY
from ledger.certificates.projection import State
from ledger.certificates.verdicts import UNRECOGNISED, Disagreement, Reading, VerdictCache, judged, status_name
from ledger.errors import ChainUnavailable, IndexNotReady

from ..problems import Problem
from .fields import grade_name, instant

T = TypeVar("T")
SETTLE_TRIES = 5  # the indexer commits about once a second: a second try nearly always settles


@dataclass(frozen=True)
class Confirmed:
    """A state as the chain confirms it: the read model's row with the verdict fields the chain holds, and the
    fields on which the two disagreed (empty when they agree)."""

    state: State
    disputed: list[Disagreement]

    def dispute(self) -> dict[str, Any] | None:
        """The answer's ``disputed`` member: null when the read model and the chain agree."""
        if not self.disputed:
            return None
        return {
            "detail": "The ledger's database disagrees with the registry contract on "
            + ", ".join(d.field for d in self.disputed)
            + "; the verdict given is the contract's.",
            "fields": [
                {
                    "field": d.field,
                    "index": _shown(d.field, d.index),
                    "chain": _shown(d.field, d.chain),
                }
                for d in self.disputed
            ],
        }


def cannot_verify(reason: str) -> Problem:
    return Problem(
        503,
        "cannot-verify",
        "Cannot verify",
        f"The verdict cannot be confirmed against the registry: {reason}. No verdict is given from the database alone.",
    )


def checkpoint_of(connection: Connection | Session, max_age: int | None = None) -> Any:
    """The indexer's checkpoint (``fresh_enough`` for ``max_age``)."""
    return fresh_enough(queries.index_status(connection), max_age)


def fresh_enough(checkpoint: Any, max_age: int | None) -> Any:
    """``checkpoint``, if there is one and, with ``max_age``, the indexer reached the node at most that long ago."""
    if checkpoint is None:
        raise IndexNotReady("the read model has not indexed the registry yet")
    age = time.time() - checkpoint.seen_at
    if max_age is not None and age > max_age:
        raise cannot_verify(f"the index last reached the chain {age:.0f} s ago, longer than maxAge={max_age}")
    return checkpoint


def settled(connection: Connection | Session, read: Callable[[], T], max_age: int | None = None) -> tuple[Any, T]:
    """``read()`` with the checkpoint its rows are as of: the checkpoint is read before and after, and all again
    while they differ. The indexer commits its rows with its checkpoint, so an unchanged checkpoint means no commit
    in between, and the registry is asked about exactly the block the rows describe (no false dispute)."""
    for _ in range(SETTLE_TRIES):
        before = checkpoint_of(connection, max_age)
        result = read()
        after = queries.index_status(connection)
        if after is not None and (after.block_number, after.block_hash) == (before.block_number, before.block_hash):
            break
    return before, result


def confirm(
    cache: VerdictCache, states: Sequence[State], block: int, readings: Mapping[str, Reading | None] | None = None
) -> list[Confirmed | None]:
    """Each state confirmed at ``block`` (by ``readings``, the registry's at ``block``, where the caller has read
    them already): None where the row is not the registry's certificate of that number at all (the chain never
    wrote it, or it carries another certificate's number). Disagreements are recorded on the cache (log, count,
    /readyz)."""
    if readings is None:
        try:
            readings = cache.confirm([state["id"] for state in states], block)
        except ChainUnavailable as exc:
            raise cannot_verify("the chain node does not answer") from exc
    confirmed: list[Confirmed | None] = []
    for state in states:
        reading = readings[state["id"]]
        found = judged(state, reading)
        if found:
            cache.record_dispute(state["id"], state["number"], found)
        elif state["id"] in cache.disputes and HISTORY not in cache.disputes[state["id"]].fields:
            cache.settle(state["id"])  # (a disputed history is settled only by its own check, in /readyz)
        if reading is None or (found[:1] and found[0].field in UNRECOGNISED):
            confirmed.append(None)
        else:
            confirmed.append(Confirmed({**state, **reading.fields()} if found else state, found))  # type: ignore[typeddict-item]
    return confirmed


def kept(cache: VerdictCache, states: Sequence[State], block: int) -> list[Confirmed]:
    """A list's states confirmed at ``block`` (search results, a firm's certificates, a planner's registrations):
    the registry's values where they differ, and no row the registry does not hold."""
    return [c for c in confirm(cache, states, block) if c is not None]


def _shown(field: str, value: Any) -> Any:
    """A verdict field as the API shows it elsewhere (names for codes, ISO instants for times)."""
    if value is None or field == "record":
        return value
    if field == "status":
        return status_name(value)
    if field in ("validFrom", "validUntil") and isinstance(value, int):
        try:
            return instant(value).isoformat()
        except (OverflowError, OSError, ValueError):
            return value
    if field == "grade" and isinstance(value, int):
        try:
            return grade_name(value)
        except ValueError:
            return value
    return value
