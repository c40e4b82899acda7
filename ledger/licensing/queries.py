"""Reading the licensing procedure from the read model: the queue of applications, one application's timeline,
reviews and objections, the public notices running, the revocation proposals."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from ledger.errors import BadCursor
from ledger.store.cursors import decode_cursor, encode_cursor
from ledger.store.models import Application, LicensingEvent, Objection, ReviewChecks, RevocationProposal


def applications(
    session: Session,
    *,
    province: int | None = None,
    kind: str | None = None,
    stage: str | None = None,
    cursor: str | None = None,
    limit: int = 50,
) -> tuple[Sequence[Application], str | None]:
    """Applications matching every given filter, newest filing first; ``cursor`` continues after a page."""
    query = select(Application)
    if province is not None:
        query = query.where(Application.province == province)
    if kind is not None:
        query = query.where(Application.kind == kind)
    if stage is not None:
        query = query.where(Application.stage == stage)
    if cursor is not None:
        filed_at, last = _decode_cursor(cursor)
        query = query.where(
            or_(Application.filed_at < filed_at, and_(Application.filed_at == filed_at, Application.id < last))
        )
    rows = session.scalars(query.order_by(Application.filed_at.desc(), Application.id.desc()).limit(limit + 1)).all()
    page = rows[:limit]
    return page, (_encode_cursor(page[-1]) if len(rows) > limit else None)


def timeline(session: Session, application_id: str) -> Sequence[LicensingEvent]:
    """Every step of the application, in chain order."""
    query = select(LicensingEvent).where(LicensingEvent.about == application_id)
    return session.scalars(query.order_by(LicensingEvent.block_number, LicensingEvent.log_index)).all()


def reviews_of(session: Session, application_id: str) -> Sequence[tuple[LicensingEvent, ReviewChecks]]:
    """Every review of the application (its ApplicationReviewed step) with the checks recorded with it."""
    query = (
        select(LicensingEvent, ReviewChecks)
        .join(
            ReviewChecks,
            (ReviewChecks.block_number == LicensingEvent.block_number)
            & (ReviewChecks.log_index == LicensingEvent.log_index),
        )
        .where(ReviewChecks.application_id == application_id)
        .order_by(ReviewChecks.block_number, ReviewChecks.log_index)
    )
    return [(event, checks) for event, checks in session.execute(query)]


def objections_of(session: Session, application_id: str) -> Sequence[Objection]:
    query = select(Objection).where(Objection.application_id == application_id)
    return session.scalars(query.order_by(Objection.raised_at, Objection.id)).all()


def running_notices(session: Session, now: int) -> Sequence[Application]:
    """Applications whose review opinion is in public notice now, ending soonest first."""
    query = select(Application).where(Application.stage == "IN_NOTICE", Application.notice_ends_at > now)
    return session.scalars(query.order_by(Application.notice_ends_at, Application.id)).all()


def proposals(session: Session, state: str | None = None) -> Sequence[RevocationProposal]:
    query = select(RevocationProposal)
    if state is not None:
        query = query.where(RevocationProposal.state == state)
    return session.scalars(query.order_by(RevocationProposal.proposed_at.desc(), RevocationProposal.id)).all()


def _encode_cursor(last: Application) -> str:
    return encode_cursor([last.filed_at, last.id])


def _decode_cursor(cursor: str) -> tuple[int, str]:
    after = decode_cursor(cursor)
    if not (isinstance(after, list) and len(after) == 2 and isinstance(after[0], int) and isinstance(after[1], str)):
        raise BadCursor("the cursor is not one this server handed out")
    return after[0], after[1]
