"""From credit events to read-model rows: pure functions the indexer applies in chain order."""

from __future__ import annotations

import json
from typing import Any, TypedDict

from ledger.chain.events import ChainEvent

CREDIT_EVENTS = (
    "CreditRecorded",
    "CreditRestored",
    "InspectionAnnounced",
    "InspectionDrawn",
    "InspectionResultRecorded",
)


class CreditRecordRow(TypedDict):
    """A credit record as CreditRecorded writes it: the columns of ``credit_records``
    (``ledger.store.models.CreditRecord``) but the ``restoration_*`` ones, which stay NULL until a restoration."""

    id: str
    subject: str
    certificate_id: str
    subject_kind: int
    kind: int
    severity: int
    category: int
    points: int
    published_from: int
    published_until: int
    minimum_end: int
    evidence_hash: str
    decision_number: str
    issuer: str
    recorded_at: int
    block_number: int
    log_index: int
    tx_hash: str


class RestorationFields(TypedDict):
    """What CreditRestored sets on the restored record: the remaining columns of ``credit_records``."""

    restoration_id: str
    restored_at: int
    restored_block: int
    restoration_decision: str
    restoration_issuer: str
    restoration_tx: str


class InspectionRoundRow(TypedDict):
    """The columns of ``inspection_rounds`` (``ledger.store.models.InspectionRound``)."""

    id: str
    title: str
    province: int
    grade: int
    sample_size: int
    inspectors_per_firm: int
    draw_block: int
    seed_commitment: str
    population_size: int
    population_root: str
    roster: str
    announcer: str
    announced_at: int
    block_number: int
    log_index: int
    tx_hash: str


class InspectionResultRow(TypedDict):
    """The columns of ``inspection_results`` (``ledger.store.models.InspectionResult``)."""

    round_id: str
    certificate_id: str
    outcome: int
    evidence_hash: str
    inspector: str
    recorded_at: int
    block_number: int
    tx_hash: str


def credit_record_row(event: ChainEvent, subject_kind: int) -> CreditRecordRow:
    """The read-model row of a CreditRecorded event; ``subject_kind`` is the named certificate's kind."""
    args, request = event.args, event.args["request"]
    return {
        "id": args["id"],
        "subject": args["subject"],
        "certificate_id": args["certificate"],
        "subject_kind": subject_kind,
        "kind": request["kind"],
        "severity": request["severity"],
        "category": request["category"],
        "points": request["points"],
        "published_from": request["publishedFrom"],
        "published_until": request["publishedUntil"],
        "minimum_end": args["minimumEnd"],
        "evidence_hash": request["evidenceHash"],
        "decision_number": request["decisionNumber"],
        "issuer": args["issuer"],
        "recorded_at": event.block_time,
        "block_number": event.block_number,
        "log_index": event.log_index,
        "tx_hash": event.tx_hash,
    }


def restoration_fields(event: ChainEvent) -> RestorationFields:
    """What a CreditRestored event sets on the restored record's row."""
    args = event.args
    return {
        "restoration_id": args["id"],
        "restored_at": event.block_time,
        "restored_block": event.block_number,
        "restoration_decision": args["decisionNumber"],
        "restoration_issuer": args["issuer"],
        "restoration_tx": event.tx_hash,
    }


RESTORATION_COLUMNS = (
    "restoration_id",
    "restored_at",
    "restored_block",
    "restoration_decision",
    "restoration_issuer",
    "restoration_tx",
)


def inspection_round_row(event: ChainEvent) -> InspectionRoundRow:
    args, request = event.args, event.args["request"]
    return {
        "id": args["id"],
        "title": request["title"],
        "province": request["province"],
        "grade": request["grade"],
        "sample_size": request["sampleSize"],
        "inspectors_per_firm": request["inspectorsPerFirm"],
        "draw_block": request["drawBlock"],
        "seed_commitment": request["seedCommitment"],
        "population_size": request["populationSize"],
        "population_root": request["populationRoot"],
        "roster": request["roster"],
        "announcer": args["announcer"],
        "announced_at": event.block_time,
        "block_number": event.block_number,
        "log_index": event.log_index,
        "tx_hash": event.tx_hash,
    }


def draw_fields(event: ChainEvent) -> dict[str, Any]:
    """The columns of ``inspection_rounds`` an InspectionDrawn event (the reveal) sets."""
    args = event.args
    return {
        "secret": args["secret"],
        "draw_block_hash": args["drawBlockHash"],
        "seed": args["seed"],
        "drawn_block": event.block_number,
    }


DRAW_COLUMNS = ("secret", "draw_block_hash", "seed", "drawn_block")


def inspection_result_row(event: ChainEvent) -> InspectionResultRow:
    args = event.args
    return {
        "round_id": args["round"],
        "certificate_id": args["certificate"],
        "outcome": args["outcome"],
        "evidence_hash": args["evidenceHash"],
        "inspector": args["inspector"],
        "recorded_at": event.block_time,
        "block_number": event.block_number,
        "tx_hash": event.tx_hash,
    }


def roster_of(announced: str) -> list[str]:
    """The inspectors' ids a round announced (a JSON array of strings; anything else yields none)."""
    try:
        roster = json.loads(announced)
    except ValueError:
        return []
    return [str(entry) for entry in roster] if isinstance(roster, list) else []
