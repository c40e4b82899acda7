"""Which statutory time limit an application's current stage runs against, and where it stands now: the limits
from the licensing rule set, counted in working days by ``ledger.licensing.deadlines`` from the instants the
chain recorded (block times of the steps)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from ledger.certificates.vocabulary import Grade
from ledger.licensing.deadlines import Due, Period, beijing_date, step_due
from ledger.rules import LicensingRules
from ledger.store.models import Application

UNDER_REVIEW = ("ACCEPTED", "PROVINCE_REVIEWED", "REVIEWED", "IN_NOTICE")


@dataclass(frozen=True)
class StepDue:
    """The limit the authority is held to now: ``step`` names it (acceptance, province-review, ministry-review,
    decision)."""

    step: str
    due: Due
    extended: bool


def current_due(application: Application, rules: LicensingRules, now: int) -> StepDue | None:
    """The limit running at ``now``, or None: nothing runs against the authority while the applicant completes
    the dossier, nor once the application is decided."""
    stage = application.stage
    if stage == "FILED":
        started = application.supplemented_at or application.filed_at  # a completed dossier restarts the count
        return StepDue("acceptance", step_due(started, rules.acceptance_working_days, now), False)
    if stage not in UNDER_REVIEW or application.accepted_at is None:
        return None
    excluded = _expert_review(application, now)
    extension = rules.decision_extension_working_days if application.extended_at is not None else 0
    extended = application.extended_at is not None
    if application.grade == Grade.A:
        if stage == "ACCEPTED":
            limit = rules.province_first_review_working_days
            return StepDue("province-review", step_due(application.accepted_at, limit, now, excluded=excluded), False)
        started = application.province_reviewed_at or application.accepted_at
        due = step_due(started, rules.ministry_review_working_days, now, excluded=excluded, extension=extension)
        return StepDue("ministry-review", due, extended)
    due = step_due(application.accepted_at, rules.decision_working_days, now, excluded=excluded, extension=extension)
    return StepDue("decision", due, extended)


def _expert_review(application: Application, now: int) -> list[Period]:
    """The expert review's days, not counted (art. 45); one still under way runs to today."""
    if application.expert_review_began_at is None:
        return []
    end = application.expert_review_ended_at or now
    first: date = beijing_date(application.expert_review_began_at)
    return [(first, max(first, beijing_date(end)))]
