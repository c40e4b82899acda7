"""Credit supervision's answers: a firm's credit standing with its explanation, the honesty, yellow and black
lists, and random-inspection rounds with everything needed to recompute their draw. The firm page and the
dashboard show list entries and rounds through the same functions as the API.

Grades and lists are computed from the index (``ledger.credit.supervision.picture``) and kept for a few seconds
per index position: a new act invalidates them as soon as the indexer has written it."""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence
from typing import Any

from flask import current_app
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from ledger.certificates import queries
from ledger.certificates.vocabulary import Kind
from ledger.credit import inspections
from ledger.credit import queries as credit_queries
from ledger.credit.lists import ListEntry
from ledger.credit.projection import roster_of
from ledger.credit.supervision import CreditPicture, picture
from ledger.credit.vocabulary import (
    FACTOR_LABELS,
    LIST_REASON_LABELS,
    OUTCOME_LABELS,
    CreditKind,
    InspectionOutcome,
    Severity,
    category_label,
)
from ledger.store.models import InspectionResult, InspectionRound

from ..problems import Problem
from ..services import Services, services
from .fields import grade_name, hexed, instant, instant_or_none, window_end
from .registrants import firm_not_found

PICTURE_SECONDS = 5  # how long one computed picture serves, at most (time-based warnings move by the clock)


class PictureCache:
    """One app's latest credit picture and the index position it was computed at."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.picture: CreditPicture | None = None
        self.position = -1


def current_picture() -> CreditPicture:
    """The credit picture now, recomputed when the index moved or after PICTURE_SECONDS."""
    cache: PictureCache = current_app.extensions.setdefault("credit-picture", PictureCache())
    engine = services().engine
    with Session(engine) as session:
        status = queries.index_status(session)
        position = status.block_number if status is not None else -1
        chain_time = queries.block_time(session, position) or 0
    # The ledger's clock is the chain's: never picture an instant before the newest block the index has read.
    now = max(int(time.time()), chain_time)
    with cache.lock:
        cached = cache.picture
        if cached is not None and cache.position == position and now - cached.at < PICTURE_SECONDS:
            return cached
    with engine.connect() as connection:
        fresh = picture(connection, now)
    with cache.lock:
        cache.picture, cache.position = fresh, position
    return fresh


# ---- grades and lists ----


def standing(engine: Engine, credit_code: str, view: CreditPicture) -> dict[str, Any]:
    """A firm's credit grade in ``view`` with its explanation, its credit records and its list entries."""
    with Session(engine) as session:
        firm = queries.firm_by_credit_code(session, credit_code)
        if firm is None:
            raise firm_not_found(credit_code)
        qualified = view.firms.get(firm.subject)
        assessment = view.assessments.get(firm.subject)
        explanation = assessment.explanation() if assessment else None
        factors = explanation["factors"] if explanation else []
        significant = explanation["significantFactors"] if explanation else []
        return {
            "creditCode": credit_code,
            "name": firm.name,
            "at": instant(view.at),
            "qualified": qualified is not None,
            "qualificationGrade": grade_name(qualified.grade) if qualified else None,
            "creditGrade": assessment.grade if assessment else None,
            "composite": explanation["composite"] if explanation else None,
            "indices": explanation["indices"] if explanation else None,
            "factors": [{**f, "label": FACTOR_LABELS[f["indicator"]]} for f in factors],
            "significantFactors": significant,
            "significantFactorLabels": [FACTOR_LABELS[f] for f in significant],
            "veto": assessment.veto if assessment else None,
            "population": len(view.assessments),
            "records": [record_answer(r) for r in view.records_of(firm.subject)],
            "lists": entry_answers(session, view.entries_of(firm.subject)),
            "rules": view.rules(),
        }


def listed(engine: Engine, name: str, view: CreditPicture, *, province: int | None, limit: int) -> dict[str, Any]:
    """One of the ``LISTS`` in ``view``, newest first: its first ``limit`` entries, of firms in ``province`` if
    given; ``count`` is the length of the whole list (of that province)."""
    entries = view.listed(name)
    if province is not None:
        provinces = {s: f.province for s, f in view.firms.items()}
        entries = [e for e in entries if provinces.get(e.subject) == province]
    with Session(engine) as session:
        shown = entry_answers(session, entries[:limit])
    return {"list": name, "at": instant(view.at), "count": len(entries), "entries": shown, "rules": view.rules()}


def record_answer(record: dict[str, Any]) -> dict[str, Any]:
    """A record as ``published_records`` reads it (``ended_at`` is None while it is published)."""
    return {
        "id": record["id"],
        "kind": CreditKind(record["kind"]).name,
        "severity": Severity(record["severity"]).name if record["severity"] else None,
        "category": record["category"],
        "categoryLabel": category_label(record["category"]),
        "points": record["points"],
        "decisionNumber": record["decision_number"],
        "evidenceHash": record["evidence_hash"],
        "issuer": record["issuer"],
        "publishedFrom": instant(record["published_from"]),
        "publishedUntil": instant(record["published_until"]),
        "restorableFrom": instant(record["minimum_end"]),
        "restored": instant_or_none(record["restored_at"]),
        "restorationDecision": record["restoration_decision"],
        "published": record["ended_at"] is None,
        "txHash": record["tx_hash"],
    }


def entry_answers(session: Session, entries: Sequence[ListEntry]) -> list[dict[str, Any]]:
    """List entries with the subjects' public names (firms by credit code, planners with their employer's)."""
    firms, planners = queries.registrants(session, list({e.subject for e in entries}))
    answers = []
    for entry in entries:
        if entry.subject_kind == Kind.FIRM:
            firm = firms.get(entry.subject)
            name, code = (firm.name, firm.credit_code) if firm else (None, None)
        else:
            planner = planners.get(entry.subject)
            name, code = (planner.name if planner else None), entry.detail.get("employerCreditCode")
        answers.append(
            {
                "list": entry.list,
                "reason": entry.reason,
                "reasonLabel": LIST_REASON_LABELS[entry.reason],
                "subjectKind": Kind(entry.subject_kind).name,
                "name": name,
                "creditCode": code,
                "since": instant(entry.since),
                "until": instant_or_none(entry.until),
                "detail": _detail(entry.detail),
            }
        )
    return answers


def _detail(detail: dict[str, Any]) -> dict[str, Any]:
    """An entry's detail as the API sends it: the list keeps instants as unix seconds, the API sends them as every
    instant (ISO 8601, UTC), and a certificate's end with its last day as on the certificate."""
    shown = dict(detail)
    if "validUntil" in detail:
        shown.update(window_end(detail["validUntil"]))
    if "barredUntil" in detail:
        shown["barredUntil"] = instant(detail["barredUntil"])
    return shown


# ---- inspection rounds ----


def rounds(engine: Engine, limit: int | None = None) -> list[dict[str, Any]]:
    """Announced rounds, newest first (the newest ``limit`` if given), each saying whether it has been drawn."""
    with Session(engine) as session:
        return [round_summary(row) for row in credit_queries.inspection_rounds(session, limit)]


def inspection_round(ledger: Services, round_id: str) -> dict[str, Any]:
    """One round: its population (with the root recomputed from it beside the one the round committed to), and once
    the round's secret is revealed on chain, the selection derived from its seed by the published procedure, each
    drawn firm with the position and Merkle proof the contract checks, and the results recorded so far."""
    with Session(ledger.engine) as session:
        row = credit_queries.inspection_round(session, round_id)
        if row is None:
            raise Problem(404, "round-not-found", "Inspection round not found", f"No round has id {round_id!r}.")
        results = credit_queries.inspection_results(session, row.id)
    with ledger.engine.connect() as connection:
        members = inspections.population(connection, row)
    by_certificate = {r.certificate_id: _result(r) for r in results}
    root = hexed(inspections.population_root([bytes.fromhex(cid[2:]) for cid, _ in members]))
    answer = {
        **round_summary(row),
        "procedure": inspections.PROCEDURE,
        "procedureText": inspections.PROCEDURE_TEXT,
        "roster": roster_of(row.roster),
        "populationBlock": row.block_number - 1,
        "population": [{"certificateId": cid, "number": number} for cid, number in members],
        "recomputedPopulationRoot": root,
        "populationCommitted": root == row.population_root and len(members) == row.population_size,
        "secret": row.secret,
        "drawBlockHash": row.draw_block_hash,
        "seed": row.seed,
        "selection": None,
        "results": list(by_certificate.values()),
    }
    if row.seed is None:
        return answer
    drawn = inspections.draw_round(row, members, bytes.fromhex(row.seed[2:]))
    ids = [hexed(s.certificate_id) for s in drawn]
    numbers = dict(members)
    with Session(ledger.engine) as session:
        names = queries.names_of(session, ids)
    answer["selection"] = [
        {
            "certificateId": cid,
            "number": numbers[cid],
            "name": names.get(cid),
            "position": s.position,
            "proof": [hexed(p) for p in s.proof],
            "inspectors": list(s.inspectors),
            "result": by_certificate.get(cid),
        }
        for cid, s in zip(ids, drawn, strict=True)
    ]
    return answer


def round_summary(row: InspectionRound) -> dict[str, Any]:
    return {
        "id": row.id,
        "title": row.title,
        "province": row.province,
        "grade": grade_name(row.grade),
        "sampleSize": row.sample_size,
        "inspectorsPerFirm": row.inspectors_per_firm,
        "drawBlock": row.draw_block,
        "seedCommitment": row.seed_commitment,
        "populationSize": row.population_size,
        "populationRoot": row.population_root,
        "announcer": row.announcer,
        "announcedAt": instant(row.announced_at),
        "announcementTx": row.tx_hash,
        "drawn": row.seed is not None,
    }


def _result(row: InspectionResult) -> dict[str, Any]:
    outcome = InspectionOutcome(row.outcome)
    return {
        "certificateId": row.certificate_id,
        "outcome": outcome.name,
        "outcomeLabel": OUTCOME_LABELS[outcome],
        "evidenceHash": row.evidence_hash,
        "inspector": row.inspector,
        "recordedAt": instant(row.recorded_at).isoformat(),
        "txHash": row.tx_hash,
    }
