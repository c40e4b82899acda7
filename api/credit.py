"""Credit supervision over HTTP: a firm's credit grade with its explanation, the honesty, yellow and black lists,
and random-inspection rounds with everything needed to recompute their draw.

Grades and lists are computed from the index (``ledger.credit.supervision.picture``) and kept for a few seconds
per index position: a new act invalidates them as soon as the indexer has written it."""

from __future__ import annotations

import threading
import time
from typing import Any

from apiflask import APIBlueprint
from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import Session

from ledger.certificates import queries
from ledger.certificates.vocabulary import Grade, Kind
from ledger.credit import inspections
from ledger.credit.lists import LISTS, ListEntry
from ledger.credit.projection import roster_of
from ledger.credit.supervision import CreditPicture, picture
from ledger.credit.vocabulary import OUTCOME_LABELS, CreditKind, InspectionOutcome, Severity, category_label
from ledger.store.models import Block, Certificate, Firm, InspectionResult, InspectionRound, Planner

from .answers import instant
from .credit_schemas import CreditOut, ListOut, ListQuery, RoundList, RoundOut
from .problems import Problem
from .services import services

bp = APIBlueprint("credit", __name__, url_prefix="/api/v1", tag="Credit supervision")
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
        chain_time = session.scalar(select(Block.timestamp).where(Block.number == position)) or 0
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


# ---- answers ----


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
        "restored": instant(record["restored_at"]) if record["restored_at"] is not None else None,
        "restorationDecision": record["restoration_decision"],
        "published": record["ended_at"] is None,
        "txHash": record["tx_hash"],
    }


def entry_answers(session: Session, entries: list[ListEntry]) -> list[dict[str, Any]]:
    """List entries with the subjects' public names (firms by credit code, planners with their employer's)."""
    subjects = list({e.subject for e in entries})
    firms = {f.subject: f for f in session.scalars(select(Firm).where(Firm.subject.in_(subjects)))} if subjects else {}
    planners = (
        {p.subject: p for p in session.scalars(select(Planner).where(Planner.subject.in_(subjects)))}
        if subjects
        else {}
    )
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
                "subjectKind": Kind(entry.subject_kind).name,
                "name": name,
                "creditCode": code,
                "since": instant(entry.since),
                "until": instant(entry.until) if entry.until is not None else None,
                "detail": entry.detail,
            }
        )
    return answers


def credit_answer(session: Session, credit_code: str, view: CreditPicture) -> dict[str, Any]:
    firm = session.scalars(select(Firm).where(Firm.credit_code == credit_code)).first()
    if firm is None:
        raise Problem(404, "firm-not-found", "Firm not found", f"No firm with credit code {credit_code!r} is known.")
    qualified = view.firms.get(firm.subject)
    assessment = view.assessments.get(firm.subject)
    explanation = assessment.explanation() if assessment else None
    return {
        "creditCode": credit_code,
        "name": firm.name,
        "at": instant(view.at),
        "qualified": qualified is not None,
        "qualificationGrade": Grade(qualified.grade).name if qualified else None,
        "creditGrade": assessment.grade if assessment else None,
        "composite": explanation["composite"] if explanation else None,
        "indices": explanation["indices"] if explanation else None,
        "factors": explanation["factors"] if explanation else [],
        "significantFactors": explanation["significantFactors"] if explanation else [],
        "veto": assessment.veto if assessment else None,
        "population": len(view.assessments),
        "records": [record_answer(r) for r in view.records_of(firm.subject)],
        "lists": entry_answers(session, view.entries_of(firm.subject)),
        "rules": view.rules(),
    }


def round_summary(row: InspectionRound, head: int | None) -> dict[str, Any]:
    return {
        "id": row.id,
        "title": row.title,
        "province": row.province,
        "grade": Grade(row.grade).name if row.grade else None,
        "sampleSize": row.sample_size,
        "inspectorsPerFirm": row.inspectors_per_firm,
        "drawBlock": row.draw_block,
        "announcer": row.announcer,
        "announcedAt": instant(row.announced_at),
        "announcementTx": row.tx_hash,
        "drawn": head is not None and head >= row.draw_block,
    }


# ---- routes ----


@bp.get("/firms/<credit_code>/credit")
@bp.output(CreditOut)
@bp.doc(summary="A firm's credit grade, its explanation, its credit records and list entries", responses=[404])
def get_credit(credit_code: str) -> dict[str, Any]:
    """The grade is computed over every qualified firm at once (min-max normalisation is over that population);
    the explanation gives each indicator's value, normalised value, weight and population interval."""
    view = current_picture()
    with Session(services().engine) as session:
        return credit_answer(session, credit_code.strip().upper(), view)


@bp.get("/lists/<name>")
@bp.input(ListQuery, location="query", arg_name="query")
@bp.output(ListOut)
@bp.doc(summary="The honesty (诚信), yellow (黄名单) or black (黑名单) list now, newest first", responses=[404])
def get_list(name: str, query: ListQuery) -> dict[str, Any]:
    """Each entry gives its reason and since when; an entry leaves when its reason ends."""
    if name not in LISTS:
        raise Problem(404, "list-not-found", "List not found", f"Lists are {', '.join(LISTS)}; not {name!r}.")
    view = current_picture()
    entries = view.listed(name)
    if query.province is not None:
        provinces = {s: f.province for s, f in view.firms.items()}
        entries = [e for e in entries if provinces.get(e.subject) == query.province]
    with Session(services().engine) as session:
        shown = entry_answers(session, entries[: query.limit])
    return {"list": name, "at": instant(view.at), "count": len(entries), "entries": shown, "rules": view.rules()}


@bp.get("/inspections")
@bp.output(RoundList)
@bp.doc(summary="Random-inspection rounds (双随机、一公开), newest first")
def get_rounds() -> dict[str, Any]:
    with Session(services().engine) as session:
        rows = session.scalars(select(InspectionRound).order_by(InspectionRound.block_number.desc())).all()
        status = queries.index_status(session)
    head = status.block_number if status is not None else None
    return {"rounds": [round_summary(row, head) for row in rows]}


@bp.get("/inspections/<round_id>")
@bp.output(RoundOut)
@bp.doc(summary="One inspection round: its population, the draw and the results, with the data to recompute them",
        responses=[404, 503])  # fmt: skip
def get_round(round_id: str) -> dict[str, Any]:
    """Once the index has read the draw block, the selection is derived from its hash by the published procedure
    (``procedureText``): recompute it from ``population``, ``drawBlockHash``, the round id and the roster."""
    ledger = services()
    with Session(ledger.engine) as session:
        row = session.get(InspectionRound, round_id.strip().lower())
        if row is None:
            raise Problem(404, "round-not-found", "Inspection round not found", f"No round has id {round_id!r}.")
        status = queries.index_status(session)
        results = session.scalars(select(InspectionResult).where(InspectionResult.round_id == row.id)).all()
    head = status.block_number if status is not None else None
    with ledger.engine.connect() as connection:
        members = inspections.population(connection, row)
    by_certificate = {r.certificate_id: _result(r) for r in results}
    answer = {
        **round_summary(row, head),
        "procedure": inspections.PROCEDURE,
        "procedureText": inspections.PROCEDURE_TEXT,
        "roster": roster_of(row.roster),
        "populationBlock": row.block_number - 1,
        "population": [{"certificateId": cid, "number": number} for cid, number in members],
        "drawBlockHash": None,
        "selection": None,
        "results": list(by_certificate.values()),
    }
    if not answer["drawn"]:
        return answer
    seed = bytes(ledger.w3.eth.get_block(row.draw_block)["hash"])
    drawn = inspections.draw_round(row, members, seed)
    ids = ["0x" + s.certificate_id.hex() for s in drawn]
    numbers = dict(members)
    with Session(ledger.engine) as session:
        names = dict(session.execute(select(Certificate.id, Certificate.name).where(Certificate.id.in_(ids))).all())
    answer["drawBlockHash"] = "0x" + seed.hex()
    answer["selection"] = [
        {
            "certificateId": cid,
            "number": numbers[cid],
            "name": names.get(cid),
            "rank": "0x" + s.rank.hex(),
            "inspectors": list(s.inspectors),
            "result": by_certificate.get(cid),
        }
        for cid, s in zip(ids, drawn, strict=True)
    ]
    return answer


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
