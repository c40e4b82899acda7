"""The licensing procedure over HTTP: the queue of applications (by province, kind, stage, overdue), one
application with its timeline, objections and due date, and the public notices (公示) running now. The steps
themselves are acts on the licensing registry; the answers are built in ``api.answers.applications``."""

from __future__ import annotations

from typing import Any

from apiflask import APIBlueprint

from . import cursors
from .answers import applications
from .licensing_schemas import ApplicationOut, ApplicationPage, ApplicationPath, ApplicationQuery, NoticeList
from .services import services

bp = APIBlueprint("applications", __name__, url_prefix="/api/v1", tag="Licensing procedure")


@bp.get("/applications")
@bp.input(ApplicationQuery, location="query", arg_name="query")
@bp.output(ApplicationPage)
@bp.doc(summary="Applications for firm qualifications, newest filing first, with the time limit each runs against")
def get_applications(query: ApplicationQuery) -> dict[str, Any]:
    """Due dates are counted in working days (the State Council's holidays and make-up days) from the instants
    the chain recorded; `overdue=true` keeps those past their limit (within the page)."""
    asked = query.model_dump()
    page = applications.queue(
        services().engine,
        province=query.province,
        kind=query.kind,
        stage=query.stage,
        overdue=query.overdue,
        cursor=cursors.unsign(query.cursor, asked),
        limit=query.limit,
    )
    return {**page, "next": cursors.sign(page["next"], asked)}


@bp.get("/applications/<application_id>")
@bp.input(ApplicationPath, location="path", arg_name="path")
@bp.output(ApplicationOut)
@bp.doc(summary="One application: its steps on chain, objections and answers, dossier hash and due date",
        responses=[404])  # fmt: skip
def get_application(application_id: str, path: ApplicationPath) -> dict[str, Any]:
    return applications.application(services().engine, path.application_id.lower())


@bp.get("/notices")
@bp.output(NoticeList)
@bp.doc(summary="Public notices (公示) of review opinions running now, ending soonest first")
def get_notices() -> dict[str, Any]:
    """During a notice anyone may object with any key (the licensing registry's `object`); the authority answers
    every objection before it decides."""
    return applications.notices(services().engine)
