"""A batch's results for now, made once per change: each worker keeps, per certificate, the result it last gave in
a batch, and gives it again while nothing it was made from has moved: the certificate's row as read (every column),
the registry's reading that confirmed it (the same object: no registry log has named the certificate since) and the
sides of the validity window the instant is on (status and validity derive from nothing else). Every row is read
and compared for every request, so a forged row is a changed row, judged as on the first batch; a disputed result
is never kept, so it is judged, logged and counted again each time. A tender's thousand certificates asked again
cost their rows and readings, not a thousand judgements and summaries."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Row

from ledger.certificates import queries
from ledger.certificates.projection import state_of
from ledger.certificates.verdicts import Reading
from ledger.errors import ChainUnavailable

from ..services import Services
from .confirmed import Confirmed, cannot_verify, confirm
from .fields import instant, summary

LIMIT = 50_000  # results kept per worker (the national register is some 17,000): past it, all are forgotten
RESULT_FIELDS = ("number", "status", "statusLabel", "valid", "kind", "grade", "name", "validUntil", "validUntilDate")


@dataclass(frozen=True)
class Kept:
    row: tuple[Any, ...]  # every column, as read
    reading: Reading
    window: tuple[bool, bool]
    result: dict[str, Any]


def results(
    ledger: Services, rows: Mapping[str, Row[Any]], block: int, moment: int
) -> dict[str, dict[str, Any] | None]:
    """Each row's result at ``moment`` (without ``query``), confirmed by the registry at ``block``: kept where it
    still holds, else judged (``confirm``: disagreements recorded) and kept unless disputed. None: the row is not
    the registry's certificate of its number."""
    kept: dict[str, Kept] = ledger.kept_results
    try:
        readings = ledger.verdicts.confirm([row[queries.ID] for row in rows.values()], block)
    except ChainUnavailable as exc:
        raise cannot_verify("the chain node does not answer") from exc
    disputes = ledger.verdicts.disputes
    found: dict[str, dict[str, Any] | None] = {}
    fresh = {}
    for key, row in rows.items():
        cid = row[queries.ID]
        hit, reading = kept.get(cid), readings[cid]
        if (
            hit is not None
            and hit.reading is reading
            and reading is not None
            and hit.window == reading.window(moment)
            and hit.row == tuple(row)
            and cid not in disputes
        ):
            found[key] = hit.result
        else:
            fresh[key] = state_of(row._mapping)
    if len(kept) + len(fresh) > LIMIT:
        kept.clear()
    for (key, state), confirmed in zip(
        fresh.items(), confirm(ledger.verdicts, list(fresh.values()), block, readings), strict=True
    ):
        if confirmed is None:
            found[key] = None
            continue
        result = found[key] = result_of(confirmed, moment, None)
        reading = readings[state["id"]]
        if not confirmed.disputed and reading is not None:
            kept[state["id"]] = Kept(tuple(rows[key]), reading, reading.window(moment), result)
    return found


def result_of(confirmed: Confirmed, moment: int, at: int | None) -> dict[str, Any]:
    """A found item's result at ``moment`` (for now, or the instant ``at``), without what was asked."""
    state = confirmed.state
    found = summary(state, moment, confirmed.dispute())
    return {
        "found": True,
        **{k: found[k] for k in (*RESULT_FIELDS, "disputed")},
        "basis": queries.basis_of(state, at),
        "recordedAt": instant(state["issued_at"]),
    }
