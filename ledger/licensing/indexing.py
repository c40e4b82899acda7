"""The licensing registry's events in the read model. Each batch stores its events, then folds again every
application and revocation proposal it touched from all of their events: a row is always the fold of what the
chain holds, whether it was written step by step, rebuilt, or rolled back after a reorg."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from ledger.chain.events import ChainEvent
from ledger.licensing.projection import (
    LICENSING_EVENTS,
    PROPOSAL_EVENTS,
    about,
    event_row,
    fold_application,
    fold_proposal,
)
from ledger.store.engine import chunked, insert_rows
from ledger.store.models import Application, LicensingEvent, Objection, RevocationProposal

CHUNK = 500


class LicensingProjection:
    """Applications with their objections, and four-eyes revocation proposals."""

    events = LICENSING_EVENTS

    def write(self, session: Session, events: Sequence[ChainEvent]) -> None:
        insert_rows(session, LicensingEvent, [event_row(e) for e in events])
        proposals = {about(e) for e in events if e.name in PROPOSAL_EVENTS}
        applications = {about(e) for e in events} - proposals
        _refold(session, applications, proposals)

    def rollback(self, session: Session, ancestor: int) -> None:
        orphaned = session.execute(
            select(LicensingEvent.about, LicensingEvent.name).where(LicensingEvent.block_number > ancestor)
        ).all()
        session.execute(delete(LicensingEvent).where(LicensingEvent.block_number > ancestor))
        proposals = {row.about for row in orphaned if row.name in PROPOSAL_EVENTS}
        _refold(session, {row.about for row in orphaned} - proposals, proposals)


def _refold(session: Session, applications: Iterable[str], proposals: Iterable[str]) -> None:
    """Replace the rows of these applications (and their objections) and proposals by the fold of their events;
    one left with no event (its filing orphaned by a reorg) is gone."""
    for ids in chunked(sorted(applications), CHUNK):
        session.execute(delete(Objection).where(Objection.application_id.in_(ids)))
        session.execute(delete(Application).where(Application.id.in_(ids)))
        rows, objections = [], []
        for events in _events_of(session, ids).values():
            application, raised = fold_application(events)
            rows.append(application)
            objections.extend(raised)
        insert_rows(session, Application, rows)
        insert_rows(session, Objection, objections)
    for ids in chunked(sorted(proposals), CHUNK):
        session.execute(delete(RevocationProposal).where(RevocationProposal.id.in_(ids)))
        insert_rows(
            session, RevocationProposal, [fold_proposal(events) for events in _events_of(session, ids).values()]
        )


def _events_of(session: Session, ids: Sequence[str]) -> dict[str, list[LicensingEvent]]:
    """Each id's events in chain order."""
    found: dict[str, list[LicensingEvent]] = {}
    query = (
        select(LicensingEvent)
        .where(LicensingEvent.about.in_(ids))
        .order_by(LicensingEvent.block_number, LicensingEvent.log_index)
    )
    for event in session.scalars(query):
        found.setdefault(event.about, []).append(event)
    return found
