"""The credit questions the API and the dashboard ask the read model besides the picture: inspection rounds with
their results, and the newest credit records. (The picture's own reads are in ``ledger.credit.register``.)"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, Row, select
from sqlalchemy.orm import Session

from ledger.store.models import CreditRecord, InspectionResult, InspectionRound


def inspection_rounds(session: Session, limit: int | None = None) -> Sequence[InspectionRound]:
    """Announced rounds, newest first (all of them, or the newest ``limit``)."""
    query = select(InspectionRound).order_by(InspectionRound.block_number.desc())
    return session.scalars(query if limit is None else query.limit(limit)).all()


def inspection_round(session: Session, round_id: str) -> InspectionRound | None:
    return session.get(InspectionRound, round_id)


def inspection_results(session: Session, round_id: str) -> Sequence[InspectionResult]:
    """The results recorded in one round so far, one per inspected firm certificate."""
    return session.scalars(select(InspectionResult).where(InspectionResult.round_id == round_id)).all()


def recent_records(session: Session | Connection, limit: int) -> Sequence[Row[Any]]:
    """The newest ``limit`` credit records, newest first, whether still published or not."""
    table = CreditRecord.__table__
    r = table.c
    return session.execute(select(table).order_by(r.block_number.desc(), r.log_index.desc()).limit(limit)).all()
