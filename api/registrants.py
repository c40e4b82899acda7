"""Who holds what, over HTTP: a firm with its qualifications and registered planners, and a planner with his
registrations and employers (answers in ``api.answers.registrants``, shared with the firm page)."""

from __future__ import annotations

from typing import Any

from apiflask import APIBlueprint

from .answers import registrants
from .schemas import FirmOut, PlannerOut
from .services import services

bp = APIBlueprint("registrants", __name__, url_prefix="/api/v1", tag="Firms and planners")


@bp.get("/firms/<credit_code>")
@bp.output(FirmOut)
@bp.doc(summary="A firm: its qualification certificates, current grade and registered planners", responses=[404])
def get_firm(credit_code: str) -> dict[str, Any]:
    """Planners are counted and listed by registration number only (no personal data)."""
    return registrants.firm(services(), credit_code.strip().upper())


@bp.get("/planners/<registration_number>")
@bp.output(PlannerOut)
@bp.doc(summary="A registered planner: status, current employer and employment history", responses=[404])
def get_planner(registration_number: str) -> dict[str, Any]:
    """Known by any of the planner's registration numbers; never shows the identity number."""
    return registrants.planner(services(), registration_number)
