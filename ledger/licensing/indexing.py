"""The licensing registry's events in the read model. Each batch stores its events, then folds again every
application and revocation proposal it touched from all of their events: a row is always the fold of what the
chain holds, whether it was written step by step, rebuilt, or rolled back after a reorg. Each review brings the
checks its ``checksHash`` names from the dossier store (or a note that the store lacks them)."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable, Sequence

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from ledger.chain.events import ChainEvent
from ledger.errors import DossierError
from ledger.licensing.dossiers import DossierStore
from ledger.licensing.projection import (
    LICENSING_EVENTS,
    PROPOSAL_EVENTS,
    about,
    event_row,
    fold_application,
    fold_proposal,
)
from ledger.store.engine import chunked, insert_rows
from ledger.store.models import Application, LicensingEvent, Objection, ReviewChecks, RevocationProposal

CHUNK = 500
log = logging.getLogger(__name__)


class LicensingProjection:
    """Applications with their objections and reviews' checks, and four-eyes revocation proposals."""

    events = LICENSING_EVENTS

    def __init__(self, store: DossierStore | None = None) -> None:
        self.store = store or DossierStore()  # the configured one (LEDGER_DOSSIER_DIR) unless given

    def write(self, session: Session, events: Sequence[ChainEvent]) -> None:
        insert_rows(session, LicensingEvent, [event_row(e) for e in events])
        insert_rows(session, ReviewChecks, [self._checks(e) for e in events if e.name == "ApplicationReviewed"])
        proposals = {about(e) for e in events if e.name in PROPOSAL_EVENTS}
        applications = {about(e) for e in events} - proposals
        _refold(session, applications, proposals)

    def rollback(self, session: Session, ancestor: int) -> None:
        orphaned = session.execute(
            select(LicensingEvent.about, LicensingEvent.name).where(LicensingEvent.block_number > ancestor)
        ).all()
        session.execute(delete(LicensingEvent).where(LicensingEvent.block_number > ancestor))
        session.execute(delete(ReviewChecks).where(ReviewChecks.block_number > ancestor))
        proposals = {row.about for row in orphaned if row.name in PROPOSAL_EVENTS}
        _refold(session, {row.about for row in orphaned} - proposals, proposals)

    def _checks(self, event: ChainEvent) -> dict[str, object]:
        """A review's checks as the store holds them under its checksHash; None when it has no such JSON (a
        reviewer's own checks never handed in), never an error."""
        name = str(event.args["checksHash"])
        try:
            body: str | None = self.store.read(name).decode()
            json.loads(body or "")
        except (DossierError, ValueError, OSError) as missing:  # a UnicodeDecodeError is a ValueError
            log.info("review checks %s not available: %s", name, missing)
            body = None
        return {
            "block_number": event.block_number,
            "log_index": event.log_index,
            "application_id": str(event.args["id"]),
            "checks_hash": name,
            "body": body,
        }


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
