"""The licensing procedure's answers: the queue, one application, the public notices. Due dates are computed
on read from the rule set and the steps' block times (``ledger.licensing.due``)."""

from __future__ import annotations

import json
import time
from collections import Counter
from collections.abc import Sequence
from typing import Any

from eth_utils import keccak
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from ledger.certificates import queries as certificates
from ledger.certificates.identifiers import PROVINCES
from ledger.certificates.vocabulary import Grade
from ledger.licensing import queries
from ledger.licensing.deadlines import beijing_date, working_days_between
from ledger.licensing.due import StepDue, current_due
from ledger.licensing.vocabulary import KIND_LABELS, STAGE_LABELS, STAGES, STEP_LABELS
from ledger.rules import licensing_rules
from ledger.store.models import Application, LicensingEvent, ReviewChecks
from wallet.instants import timestamp

from ..problems import Problem
from .fields import instant, instant_or_none

INSTANT_ARGUMENTS = frozenset({"endsAt"})
"""The licensing events' arguments that are instants (``uint40`` unix seconds on chain, contracts/
ILicensingRegistry.sol): a timeline gives them as ISO 8601, as every instant of the API."""
LARGE = 5_000  # the dashboard's panel reads the whole queue: applications are counted in thousands, not millions


def queue(engine: Engine, *, overdue: bool | None = None, **filters: Any) -> dict[str, Any]:
    """One page of applications (``queries.applications``' filters); ``overdue`` keeps those past their limit."""
    now = int(time.time())
    with Session(engine) as session:
        page, cursor = queries.applications(session, **filters)
        items = summaries(session, page, now)
    if overdue is not None:
        items = [item for item in items if (item["due"] is not None and item["due"]["overdue"]) == overdue]
    return {"items": items, "next": cursor}


def application(engine: Engine, application_id: str) -> dict[str, Any]:
    now = int(time.time())
    with Session(engine) as session:
        row = session.get(Application, application_id)
        if row is None:
            raise Problem(
                404, "application-not-found", "Application not found", f"No application has the id {application_id}."
            )
        summary = summaries(session, [row], now)[0]
        steps = queries.timeline(session, application_id)
        reviews = queries.reviews_of(session, application_id)
        objections = queries.objections_of(session, application_id)
    return {
        **summary,
        "dossier": row.dossier,
        "checksHash": row.checks_hash,
        "reviews": [_review(step, checks) for step, checks in reviews],
        "timeline": [
            {
                "act": step.name,
                "label": STEP_LABELS[step.name],
                "at": instant(step.block_time),
                "by": step.actor,
                "blockNumber": step.block_number,
                "txHash": step.tx_hash,
                "data": _arguments(json.loads(step.data)),
            }
            for step in steps
        ],
        "objections": [
            {
                "id": o.id,
                "objector": o.objector,
                "evidenceHash": o.evidence_hash,
                "textHash": o.text_hash,
                "raisedAt": instant(o.raised_at),
                "answeredAt": instant_or_none(o.answered_at),
                "answeredBy": o.answered_by,
                "answerHash": o.answer_hash,
            }
            for o in objections
        ],
        "rules": licensing_rules().rules.citation(),
    }


def _arguments(args: dict[str, Any]) -> dict[str, Any]:
    """An event's arguments as a timeline shows them: its instants ISO 8601, the rest as the chain logged them."""
    return {name: timestamp(value) if name in INSTANT_ARGUMENTS else value for name, value in args.items()}


def _review(step: LicensingEvent, checks: ReviewChecks) -> dict[str, Any]:
    """A review with its checks as recorded, and whether they hash to what the chain recorded."""
    body = checks.body
    return {
        "at": instant(step.block_time),
        "by": step.actor,
        "stage": STAGES[json.loads(step.data)["stage"]],
        "checksHash": checks.checks_hash,
        "checksAvailable": body is not None,
        "checksMatch": None if body is None else "0x" + keccak(body.encode()).hex() == checks.checks_hash,
        "checks": None if body is None else json.loads(body),
    }


def notices(engine: Engine) -> dict[str, Any]:
    now = int(time.time())
    with Session(engine) as session:
        return {"at": instant(now), "notices": summaries(session, queries.running_notices(session, now), now)}


def panel(session: Session, now: int) -> dict[str, Any]:
    """The dashboard's licensing panel: applications by stage and province, the notices running, the overdue ones,
    this month's decisions and the average working days from acceptance to decision, per province."""
    rows = queries.applications(session, limit=LARGE)[0]
    rules = licensing_rules()
    overdue = [r for r in rows if (due := current_due(r, rules, now)) is not None and due.due.overdue]
    by_province: dict[int, Counter[str]] = {}
    for row in rows:
        by_province.setdefault(row.province, Counter())[row.stage] += 1
    month = beijing_date(now).strftime("%Y-%m")
    decided = [r for r in rows if r.decided_at is not None and r.stage in ("APPROVED", "REFUSED")]
    durations: dict[int, list[int]] = {}
    for row in decided:
        if row.accepted_at is not None:
            days = working_days_between(beijing_date(row.accepted_at), beijing_date(row.decided_at or row.accepted_at))
            durations.setdefault(row.province, []).append(days)
    return {
        "stages": [(code, authority_name(code), counts) for code, counts in sorted(by_province.items())],
        "stage_labels": STAGE_LABELS,
        "notices": sum(1 for r in rows if r.stage == "IN_NOTICE" and (r.notice_ends_at or 0) > now),
        "overdue": summaries(session, overdue, now),  # names and numbers read for the few shown, not all
        "decided_this_month": sum(1 for r in decided if beijing_date(r.decided_at or 0).strftime("%Y-%m") == month),
        "average_days": {
            authority_name(code): round(sum(days) / len(days), 1) for code, days in sorted(durations.items())
        },
    }


def authority_name(province: int) -> str:
    """Where an application is handled: a firm's province, or (province 0) the registrar, for planners."""
    return "注册城乡规划师（全国）" if province == 0 else PROVINCES.get(province, str(province))


def summaries(session: Session, rows: Sequence[Application], now: int) -> list[dict[str, Any]]:
    """The rows as the API shows them, with the firms' names and the certificates' numbers read in two queries."""
    firms, _ = certificates.registrants(session, {r.subject for r in rows} | {r.employer for r in rows if r.employer})
    linked = {r.certificate_id for r in rows} | {r.issued_certificate for r in rows}
    numbers = certificates.numbers_of(session, [i for i in linked if i is not None])
    rules = licensing_rules()

    def link(certificate: str | None) -> dict[str, Any] | None:
        return None if certificate is None else {"id": certificate, "number": numbers.get(certificate)}

    summaries = []
    for row in rows:
        # A planner's application is shown under the firm it names (registration, change of employer).
        firm = firms.get(row.employer) if row.employer else firms.get(row.subject)
        summaries.append(
            {
                "id": row.id,
                "kind": row.kind,
                "kindLabel": KIND_LABELS[row.kind],
                "stage": row.stage,
                "stageLabel": STAGE_LABELS[row.stage],
                "grade": Grade(row.grade).name if row.grade else None,
                "province": row.province,
                "subject": row.subject,
                "firmName": firm.name if firm else row.name,
                "creditCode": firm.credit_code if firm else row.credit_code,
                "certificate": link(row.certificate_id),
                "applicant": row.applicant,
                "paper": row.paper,
                "filedAt": instant(row.filed_at),
                "noticeEndsAt": instant_or_none(row.notice_ends_at),
                "openObjections": row.open_objections,
                "due": _due(current_due(row, rules, now)),
                "issuedCertificate": link(row.issued_certificate),
                "employer": row.employer,
                "consents": None
                if row.kind != "PLANNER_CHANGE"
                else {
                    "oldEmployer": instant_or_none(row.old_employer_consented_at),
                    "newEmployer": instant_or_none(row.new_employer_consented_at),
                },
            }
        )
    return summaries


def _due(step: StepDue | None) -> dict[str, Any] | None:
    if step is None:
        return None
    due = step.due
    return {
        "step": step.step,
        "workingDays": due.working_days,
        "dueDate": due.due,
        "remainingWorkingDays": due.remaining,
        "overdue": due.overdue,
        "extended": step.extended,
        "provisional": due.provisional,
    }
