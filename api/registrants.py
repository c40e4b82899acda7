"""Who holds what: a firm with its qualifications and the planners registered with it now, and a planner with his
registrations and employers. Public fields only: no identity number ever leaves through here."""

from __future__ import annotations

import time
from typing import Any

from apiflask import APIBlueprint
from sqlalchemy.orm import Session

from ledger.certificates import queries
from ledger.certificates.vocabulary import Grade

from . import answers
from .problems import Problem
from .schemas import FirmOut, PlannerOut
from .services import services

bp = APIBlueprint("registrants", __name__, url_prefix="/api/v1", tag="Firms and planners")


def firm_answer(session: Session, credit_code: str) -> dict[str, Any]:
    now = int(time.time())
    found = queries.firm(session, credit_code, now)
    if found is None:
        raise Problem(404, "firm-not-found", "Firm not found", f"No firm with credit code {credit_code!r} is known.")
    firm, certificates = found["firm"], found["certificates"]
    valid_grades = [state["grade"] for state in certificates if queries.is_valid(state, now)]
    return {
        "creditCode": firm.credit_code,
        "name": firm.name,
        "province": firm.province,
        "currentGrade": Grade(min(valid_grades)).name if valid_grades else None,  # A (1) outranks B (2)
        "certificates": [answers.summary(state, now) for state in certificates],
        "plannerCount": len(found["planners"]),
        "planners": [
            {"registrationNumber": p["number"], "validUntil": answers.instant(p["valid_until"])}
            for p in found["planners"]
        ],
    }


def planner_answer(session: Session, registration_number: str) -> dict[str, Any]:
    now = int(time.time())
    found = queries.planner(session, registration_number, now)
    if found is None:
        raise Problem(
            404,
            "planner-not-found",
            "Planner not found",
            f"No planner has registration number {registration_number!r}.",
        )
    current, employer = found["current"], found["employer"]
    latest = found["registrations"][0]
    shown = current or latest
    status = queries.derived_status(shown, now)
    numbers = {state["id"]: state["number"] for state in found["registrations"]}
    return {
        "name": found["planner"].name if found["planner"] else latest["name"],
        **answers.status_fields(status, queries.is_valid(shown, now)),
        "registration": answers.summary(current, now) if current else None,
        "employer": answers.employer_fields(employer.subject, employer) if employer else None,
        "registrations": [answers.summary(state, now) for state in found["registrations"]],
        "employment": [
            {
                "registrationNumber": numbers.get(period["certificate_id"], ""),
                "creditCode": period["credit_code"],
                "firmName": period["firm_name"],
                "since": answers.instant(period["started_at"]),
                "until": answers.instant(period["ended_at"]) if period["ended_at"] is not None else None,
                "endedBy": period["end_reason"],
            }
            for period in found["periods"]
        ],
    }


@bp.get("/firms/<credit_code>")
@bp.output(FirmOut)
@bp.doc(summary="A firm: its qualification certificates, current grade and registered planners", responses=[404])
def get_firm(credit_code: str) -> dict[str, Any]:
    """Planners are counted and listed by registration number only (no personal data)."""
    with Session(services().engine) as session:
        return firm_answer(session, credit_code.strip().upper())


@bp.get("/planners/<registration_number>")
@bp.output(PlannerOut)
@bp.doc(summary="A registered planner: status, current employer and employment history", responses=[404])
def get_planner(registration_number: str) -> dict[str, Any]:
    """Known by any of the planner's registration numbers; never shows the identity number."""
    with Session(services().engine) as session:
        return planner_answer(session, registration_number.strip())
