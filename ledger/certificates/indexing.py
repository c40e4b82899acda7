"""The certificate registry's events in the read model: history rows, certificate states, employment periods,
firms and planners, written in bulk per indexer batch and recomputed from the remaining history after a reorg."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from itertools import groupby

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from ledger.certificates.projection import Row, State, apply, employment_periods, fold, history_rows, row_of, state_of
from ledger.certificates.vocabulary import Kind
from ledger.chain.events import ChainEvent
from ledger.store.engine import chunked, insert_rows
from ledger.store.models import Certificate, CertificateEvent, EmploymentPeriod, Firm, Planner

CHUNK = 500  # ids per IN (...) clause: well under every database's parameter limit
CERTIFICATE_EVENTS = (
    "CertificateIssued",
    "CertificateImported",
    "CertificateAmended",
    "HolderBound",
    "CertificateSuspended",
    "CertificateReinstated",
    "CertificateRevoked",
    "PlannerTransferred",
    "FirmMoved",
)


class CertificateProjection:
    """Certificates, their history and what depends on them (employment periods, firms, planners)."""

    events = CERTIFICATE_EVENTS

    def write(self, session: Session, events: Sequence[ChainEvent]) -> None:
        states = _load_states(session, _referenced_ids(events))
        rows: list[Row] = []
        imported = {(e.tx_hash, e.args["id"]) for e in events if e.name == "CertificateImported"}
        for event in events:
            for row in history_rows(event, states.get, imported):
                states[row["certificate_id"]] = apply(states.get(row["certificate_id"]), row)
                rows.append(row)
        touched = {row["certificate_id"]: states[row["certificate_id"]] for row in rows}
        insert_rows(session, CertificateEvent, rows)
        _store_states(session, touched.keys(), touched.values())

    def rollback(self, session: Session, ancestor: int) -> None:
        """Forget the history above ``ancestor`` and recompute the certificates it touched from what remains."""
        orphaned = session.scalars(
            select(CertificateEvent.certificate_id).where(CertificateEvent.block_number > ancestor).distinct()
        ).all()
        session.execute(delete(CertificateEvent).where(CertificateEvent.block_number > ancestor))
        states = [s for _, rows in _history_of(session, orphaned) if (s := fold(rows)) is not None]
        _store_states(session, orphaned, states)


def _referenced_ids(events: Iterable[ChainEvent]) -> set[str]:
    """The certificates whose state a batch reads: those it names, and the predecessors of new issues."""
    ids = set()
    for event in events:
        ids.add(event.args["id"])
        if event.name == "CertificateIssued":
            ids.add(event.args["predecessor"])
    return ids


def _load_states(session: Session, ids: Iterable[str]) -> dict[str, State]:
    table = Certificate.__table__
    states: dict[str, State] = {}
    for chunk in chunked(list(ids), CHUNK):
        for row in session.execute(select(table).where(table.c.id.in_(chunk))).mappings():
            states[row["id"]] = state_of(row)
    return states


def _store_states(session: Session, ids: Iterable[str], states: Iterable[State]) -> None:
    """Replace the certificates ``ids`` by ``states`` (an id without a state is deleted), then refresh what
    depends on them: employment periods of planner certificates, and their firms and planners."""
    ids = list(ids)
    states = list(states)
    old_subjects: set[str] = set()
    for chunk in chunked(list(ids), CHUNK):
        old_subjects.update(session.scalars(select(Certificate.subject).where(Certificate.id.in_(chunk))))
        session.execute(delete(Certificate).where(Certificate.id.in_(chunk)))
        session.execute(delete(EmploymentPeriod).where(EmploymentPeriod.certificate_id.in_(chunk)))
    insert_rows(session, Certificate, states)
    planners = {s["id"]: s for s in states if s["kind"] == Kind.PLANNER}
    periods = [p for cid, rows in _history_of(session, planners) for p in employment_periods(planners[cid], rows)]
    insert_rows(session, EmploymentPeriod, periods)
    _refresh_subjects(session, old_subjects | {s["subject"] for s in states})


def _history_of(session: Session, ids: Iterable[str]) -> Iterator[tuple[str, list[Row]]]:
    """Each certificate's history rows in chain order."""
    table = CertificateEvent.__table__
    for chunk in chunked(list(ids), CHUNK):
        query = (
            select(table)
            .where(table.c.certificate_id.in_(chunk))
            .order_by(table.c.certificate_id, table.c.block_number, table.c.log_index)
        )
        for cid, rows in groupby(session.execute(query).mappings(), key=lambda r: r["certificate_id"]):
            yield cid, [row_of(r) for r in rows]


def _refresh_subjects(session: Session, subjects: set[str]) -> None:
    """Firms and planners as the latest act on any of their certificates describes them."""
    firms, planners = [], []
    for chunk in chunked(list(subjects), CHUNK):
        session.execute(delete(Firm).where(Firm.subject.in_(chunk)))
        session.execute(delete(Planner).where(Planner.subject.in_(chunk)))
        query = (
            select(
                Certificate.subject, Certificate.kind, Certificate.name, Certificate.credit_code, Certificate.province
            )
            .where(Certificate.subject.in_(chunk))
            .order_by(Certificate.subject, Certificate.last_block.desc(), Certificate.last_log_index.desc())
        )
        for subject, group in groupby(session.execute(query), key=lambda r: r.subject):
            latest = next(group)
            if latest.kind == Kind.FIRM:
                firms.append(
                    {
                        "subject": subject,
                        "credit_code": latest.credit_code,
                        "name": latest.name,
                        "province": latest.province,
                    }
                )
            else:
                planners.append({"subject": subject, "name": latest.name})
    insert_rows(session, Firm, firms)
    insert_rows(session, Planner, planners)
