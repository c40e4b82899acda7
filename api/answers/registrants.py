"""Who holds what: a firm with its qualifications and the planners registered with it now, and a planner with his
registrations and employers. Public fields only: no identity number ever leaves through here."""

from __future__ import annotations

import time
from typing import Any

from sqlalchemy.orm import Session

from ledger.certificates import queries
from ledger.certificates.identifiers import normalise_number
from ledger.certificates.vocabulary import Grade

from ..problems import Problem
from ..services import Services
from .confirmed import Confirmed, kept, settled
from .fields import employer_fields, instant, instant_or_none, status_fields, summary, window_end


def firm_not_found(credit_code: str) -> Problem:
    return Problem(404, "firm-not-found", "Firm not found", f"No firm with credit code {credit_code!r} is known.")


def firm(ledger: Services, credit_code: str) -> dict[str, Any]:
    """The firm's certificates, its current grade (the best it holds valid now) and its registered planners, every
    verdict confirmed by the registry."""
    now = int(time.time())
    with Session(ledger.engine) as session:
        checkpoint, found = settled(session, lambda: queries.firm(session, credit_code, now))
        block = checkpoint.block_number
        if found is None:
            raise firm_not_found(credit_code)
        certificates = kept(ledger.verdicts, found["certificates"], block)
        planners = [  # registered with the firm now by the registry's own values, not the rows' alone
            c.state
            for c in kept(ledger.verdicts, found["planners"], block)
            if c.state["employer"] == found["firm"].subject and queries.derived_status(c.state, now) in queries.BINDING
        ]
        return _firm({**found, "planners": planners}, certificates, now)


def _firm(found: dict[str, Any], certificates: list[Confirmed], now: int) -> dict[str, Any]:
    record = found["firm"]
    valid_grades = [c.state["grade"] for c in certificates if queries.is_valid(c.state, now)]
    return {
        "creditCode": record.credit_code,
        "name": record.name,
        "province": record.province,
        "currentGrade": Grade(min(valid_grades)).name if valid_grades else None,  # A (1) outranks B (2)
        "certificates": [summary(c.state, now, c.dispute()) for c in certificates],
        "plannerCount": len(found["planners"]),
        "planners": [{"registrationNumber": p["number"], **window_end(p["valid_until"])} for p in found["planners"]],
    }


def planner(ledger: Services, registration_number: str) -> dict[str, Any]:
    """A planner by any of his registration numbers (folded as printed): his status, current employer and
    employment history, the registrations' verdicts confirmed by the registry."""
    now = int(time.time())
    with Session(ledger.engine) as session:
        number = normalise_number(registration_number)
        checkpoint, found = settled(session, lambda: queries.planner(session, number, now))
        block = checkpoint.block_number
        if found is None:
            raise planner_not_found(registration_number)
        registrations = kept(ledger.verdicts, found["registrations"], block)
        if not registrations:
            raise planner_not_found(registration_number)
        current = next((c for c in registrations if queries.derived_status(c.state, now) in queries.BINDING), None)
        employer = None
        if current is not None and current.state["employer"] is not None:
            employer = queries.firm_by_subject(session, current.state["employer"])
        return _planner(found, registrations, current, employer, now)


def planner_not_found(registration_number: str) -> Problem:
    return Problem(
        404, "planner-not-found", "Planner not found", f"No planner has registration number {registration_number!r}."
    )


def _planner(
    found: dict[str, Any], registrations: list[Confirmed], current: Confirmed | None, employer: Any, now: int
) -> dict[str, Any]:
    latest = registrations[0]
    shown = current or latest
    status = queries.derived_status(shown.state, now)
    numbers = {c.state["id"]: c.state["number"] for c in registrations}
    return {
        "name": found["planner"].name if found["planner"] else latest.state["name"],
        **status_fields(status, queries.is_valid(shown.state, now)),
        "registration": summary(current.state, now, current.dispute()) if current else None,
        "employer": employer_fields(employer.subject, employer) if employer else None,
        "registrations": [summary(c.state, now, c.dispute()) for c in registrations],
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
