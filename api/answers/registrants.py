"""Who holds what: a firm with its qualifications and the planners registered with it now, and a planner with his
registrations and employers. Public fields only: no identity number ever leaves through here."""

from __future__ import annotations

import time
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from ledger.certificates import queries
from ledger.certificates.identifiers import normalise_number
from ledger.certificates.vocabulary import Grade

from ..problems import Problem
from .fields import employer_fields, instant, instant_or_none, status_fields, summary


def firm_not_found(credit_code: str) -> Problem:
    return Problem(404, "firm-not-found", "Firm not found", f"No firm with credit code {credit_code!r} is known.")


def firm(engine: Engine, credit_code: str) -> dict[str, Any]:
    """The firm's certificates, its current grade (the best it holds valid now) and its registered planners."""
    now = int(time.time())
    with Session(engine) as session:
        found = queries.firm(session, credit_code, now)
        if found is None:
            raise firm_not_found(credit_code)
        return _firm(found, now)


def _firm(found: dict[str, Any], now: int) -> dict[str, Any]:
    record, certificates = found["firm"], found["certificates"]
    valid_grades = [state["grade"] for state in certificates if queries.is_valid(state, now)]
    return {
        "creditCode": record.credit_code,
        "name": record.name,
        "province": record.province,
        "currentGrade": Grade(min(valid_grades)).name if valid_grades else None,  # A (1) outranks B (2)
        "certificates": [summary(state, now) for state in certificates],
        "plannerCount": len(found["planners"]),
        "planners": [
            {"registrationNumber": p["number"], "validUntil": instant(p["valid_until"])} for p in found["planners"]
        ],
    }


def planner(engine: Engine, registration_number: str) -> dict[str, Any]:
    """A planner by any of his registration numbers (folded as printed): his status, current employer and
    employment history."""
    now = int(time.time())
    with Session(engine) as session:
        found = queries.planner(session, normalise_number(registration_number), now)
        if found is None:
            raise Problem(
                404,
                "planner-not-found",
                "Planner not found",
                f"No planner has registration number {registration_number!r}.",
            )
        return _planner(found, now)


def _planner(found: dict[str, Any], now: int) -> dict[str, Any]:
    current, employer = found["current"], found["employer"]
    latest = found["registrations"][0]
    shown = current or latest
    status = queries.derived_status(shown, now)
    numbers = {state["id"]: state["number"] for state in found["registrations"]}
    return {
        "name": found["planner"].name if found["planner"] else latest["name"],
        **status_fields(status, queries.is_valid(shown, now)),
        "registration": summary(current, now) if current else None,
        "employer": employer_fields(employer.subject, employer) if employer else None,
        "registrations": [summary(state, now) for state in found["registrations"]],
        "employment": [
            {
                "registrationNumber": numbers.get(period["certificate_id"], ""),
                "creditCode": period["credit_code"],
                "firmName": period["firm_name"],
                "since": instant(period["started_at"]),
                "until": instant_or_none(period["ended_at"]),
                "endedBy": period["end_reason"],
            }
            for period in found["periods"]
        ],
    }
