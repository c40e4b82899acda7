"""The public notices (``/notices``, 公示): every review opinion in notice now with its end date, readable without
signing in; anyone may object with any key their wallet holds (signed in the browser, rate-limited per address by
``api.web``), and later read the authority's answer on the same page."""

from __future__ import annotations

import time

from apiflask import APIBlueprint
from flask import render_template

from .answers import applications
from .answers.console import words
from .problems import Problem
from .services import services
from .web import protect_posts

bp = APIBlueprint("notices_page", __name__, url_prefix="/notices", enable_openapi=False)  # pages, not API operations
bp.before_request(protect_posts)


@bp.get("")
def notices() -> str:
    return render_template("notices.html", n=applications.notices(services().engine))


@bp.get("/<application_id>")
def notice(application_id: str) -> str | tuple[str, int]:
    """One notice: the review opinion noticed, the objections raised and their answers, and the objection form
    while the notice runs."""
    ledger = services()
    try:
        answer = applications.application(ledger.engine, application_id.lower())
    except Problem:
        return render_template("not_found.html", query=application_id), 404
    if answer["noticeEndsAt"] is None:
        return render_template("not_found.html", query=application_id), 404
    running = answer["stage"] == "IN_NOTICE" and answer["noticeEndsAt"].timestamp() > time.time()
    return render_template("notice.html", a=answer, running=running, words=words(ledger, answer))
