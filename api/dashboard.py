"""The regulators' dashboard (管理驾驶舱): qualified firms by grade and province, certificates expiring soon,
changes to the yellow and black lists, recent acts on chain and the inspection rounds. Public data only; the
panels are built in ``api.answers.dashboard``."""

from __future__ import annotations

from flask import Blueprint, render_template

from .answers.credit import current_picture
from .answers.dashboard import board
from .services import services

bp = Blueprint("dashboard", __name__)


@bp.get("/dashboard")
def dashboard() -> str:
    return render_template("dashboard.html", **board(services().engine, current_picture()))
