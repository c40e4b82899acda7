"""The credit registry's events in the read model: records, restorations, inspection rounds and results. Their
rows depend on nothing but the certificate a record names, which the certificates' projection has written
earlier in the same transaction."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from ledger.chain.events import ChainEvent
from ledger.credit.projection import (
    CREDIT_EVENTS,
    DRAW_COLUMNS,
    RESTORATION_COLUMNS,
    CreditRecordRow,
    InspectionResultRow,
    InspectionRoundRow,
    credit_record_row,
    draw_fields,
    inspection_result_row,
    inspection_round_row,
    restoration_fields,
)
from ledger.store.engine import chunked, insert_rows
from ledger.store.models import Certificate, CreditRecord, InspectionResult, InspectionRound

CHUNK = 500


class CreditProjection:
    """Credit records (with their restorations) and inspection rounds (with their results)."""

    events = CREDIT_EVENTS

    def write(self, session: Session, events: Sequence[ChainEvent]) -> None:
        """Insert the batch's rows in bulk, records before restorations: on chain a restoration always comes
        after the record it restores, so it finds that row whether it arrived in this batch or an earlier one."""
        kinds = _kinds(session, {e.args["certificate"] for e in events if e.name == "CreditRecorded"})
        records: list[CreditRecordRow] = []
        rounds: list[InspectionRoundRow] = []
        results: list[InspectionResultRow] = []
        for event in events:
            if event.name == "CreditRecorded":
                records.append(credit_record_row(event, kinds[event.args["certificate"]]))
            elif event.name == "InspectionAnnounced":
                rounds.append(inspection_round_row(event))
            elif event.name == "InspectionResultRecorded":
                results.append(inspection_result_row(event))
        insert_rows(session, CreditRecord, records)
        insert_rows(session, InspectionRound, rounds)
        insert_rows(session, InspectionResult, results)
        for event in events:
            if event.name == "CreditRestored":
                session.execute(
                    update(CreditRecord)
                    .where(CreditRecord.id == event.args["record"])
                    .values(restoration_fields(event))
                )
            elif event.name == "InspectionDrawn":  # after its round, like a restoration after its record
                session.execute(
                    update(InspectionRound).where(InspectionRound.id == event.args["round"]).values(draw_fields(event))
                )

    def rollback(self, session: Session, ancestor: int) -> None:
        session.execute(delete(CreditRecord).where(CreditRecord.block_number > ancestor))
        session.execute(
            update(CreditRecord)
            .where(CreditRecord.restored_block > ancestor)
            .values(dict.fromkeys(RESTORATION_COLUMNS))
        )
        session.execute(delete(InspectionRound).where(InspectionRound.block_number > ancestor))
        session.execute(
            update(InspectionRound).where(InspectionRound.drawn_block > ancestor).values(dict.fromkeys(DRAW_COLUMNS))
        )
        session.execute(delete(InspectionResult).where(InspectionResult.block_number > ancestor))


def _kinds(session: Session, ids: set[str]) -> dict[str, int]:
    """The kind of each certificate a record names (the contract refuses records on unknown ones)."""
    kinds: dict[str, int] = {}
    for chunk in chunked(sorted(ids), CHUNK):
        kinds.update(session.execute(select(Certificate.id, Certificate.kind).where(Certificate.id.in_(chunk))).all())
    return kinds
