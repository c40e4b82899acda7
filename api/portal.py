"""The firms' and planners' portal (``/portal``): signed in with the holder key, a firm sees its certificates, its
credit grade with the explanation and its applications; files an application (a form per kind, the dossier
uploaded in the browser), answers a request for completion, withdraws, and consents to a planner's change of
employer. The acts are signed in the browser (``api.web``) and judged by the contract."""

from __future__ import annotations

import time
from typing import Any

from apiflask import APIBlueprint
from flask import render_template, request
from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from ledger.certificates.documents import last_day
from ledger.certificates.queries import derived_status
from ledger.certificates.vocabulary import GRADE_LABELS, KIND_LABELS, STATUS_LABELS, Grade, Kind
from ledger.chain.calls import Call
from ledger.licensing.vocabulary import FINAL_STAGES
from ledger.store.models import Application, Certificate

from .answers import applications, credit
from .answers.console import PLACEHOLDER, may_take, words
from .console import dossier_files
from .services import services
from .web import protect_posts, signed_in

bp = APIBlueprint("portal", __name__, url_prefix="/portal", enable_openapi=False)  # pages, not API operations
bp.before_request(protect_posts)
Page = str | tuple[str, int]
KINDS = {
    "FIRST": "首次申请（乙级）",
    "UPGRADE": "资质升级（乙级→甲级）",
    "RENEWAL": "资质延续",
    "CHANGE": "资质变更",
    "CANCELLATION": "资质注销",
    "PLANNER_RENEWAL": "规划师延续注册",
    "PLANNER_CHANGE": "规划师变更执业单位",
    "PLANNER_CANCELLATION": "规划师注销注册",
}


def _held(session: Session, account: str) -> list[Certificate]:
    """The live certificates this key holds (the holder key the chain names)."""
    return list(
        session.scalars(
            select(Certificate)
            .where(Certificate.holder.in_([account, account.lower()]), Certificate.successor.is_(None))
            .order_by(Certificate.number)
        )
    )


def _mine(session: Session, account: str, held: list[Certificate]) -> list[Application]:
    """Applications this key filed, and the changes of employer it is asked to consent to (as the old or the new
    employer's key)."""
    firms = [c.subject for c in held if c.kind == Kind.FIRM]
    planners_leaving = select(Certificate.id).where(Certificate.employer.in_(firms))
    consents = and_(
        Application.kind == "PLANNER_CHANGE",
        or_(Application.employer.in_(firms), Application.certificate_id.in_(planners_leaving)),
    )
    filed = Application.applicant.in_([account, account.lower()])
    query = select(Application).where(or_(filed, consents) if firms else filed)
    return list(session.scalars(query.order_by(Application.filed_at.desc())))


@bp.get("")
def home() -> Page:
    account = signed_in()
    if account is None:
        return render_template("portal/sign_in.html"), 401
    ledger, now = services(), int(time.time())
    view = credit.current_picture()
    with Session(ledger.engine) as session:
        held = _held(session, account)
        mine = applications.summaries(session, _mine(session, account, held), now)
        certificates = [_certificate(c) for c in held]
    standings = [
        credit.standing(ledger.engine, c["creditCode"], view) for c in certificates if c["firm"] and c["creditCode"]
    ]
    return render_template("portal/home.html", certificates=certificates, applications=mine, standings=standings)


def _certificate(row: Certificate) -> dict[str, Any]:
    status = derived_status({"status": row.status, "valid_from": row.valid_from, "valid_until": row.valid_until},
                            int(time.time()))  # fmt: skip
    return {
        "number": row.number,
        "name": row.name,
        "firm": row.kind == Kind.FIRM,
        "kindLabel": KIND_LABELS[Kind(row.kind)],
        "gradeLabel": GRADE_LABELS.get(Grade(row.grade), ""),
        "status": status.name,
        "statusLabel": STATUS_LABELS[status],
        "creditCode": row.credit_code,
        "validUntilDate": last_day(row.valid_until),
    }


@bp.get("/apply")
def apply() -> Page:
    """The filing form of one kind (``?kind=``): a first application names the firm, the others a certificate
    this key holds; every kind hands in the dossier's files."""
    account = signed_in()
    if account is None:
        return render_template("portal/sign_in.html"), 401
    kind = request.args.get("kind", "FIRST")
    if kind not in KINDS:
        kind = "FIRST"
    with Session(services().engine) as session:
        held = [_certificate(c) for c in _held(session, account)]
    planner = kind.startswith("PLANNER_")
    choices = [c for c in held if c["firm"] != planner and c["status"] == "ACTIVE"]
    return render_template(
        "portal/apply.html", kind=kind, kinds=KINDS, choices=choices, max_bytes=services().dossiers.max_bytes
    )


@bp.get("/applications/<application_id>")
def application(application_id: str) -> Page:
    """An application for its applicant (or an employer asked to consent): the timeline with the authority's
    words, the objections raised and their answers, and the applicant's own steps the contract would take now."""
    account = signed_in()
    if account is None:
        return render_template("portal/sign_in.html"), 401
    ledger = services()
    with Session(ledger.engine) as session:
        mine = {row.id for row in _mine(session, account, _held(session, account))}
    if application_id.lower() not in mine:
        return render_template("not_found.html", query=application_id), 404
    answer = applications.application(ledger.engine, application_id.lower())
    steps = _applicant_steps(answer, account) if answer["stage"] not in FINAL_STAGES else []
    return render_template(
        "portal/application.html",
        a=answer,
        steps=steps,
        words=words(ledger, answer),
        files=dossier_files(answer["dossier"]),
        max_bytes=ledger.dossiers.max_bytes,
    )


def _applicant_steps(answer: dict[str, Any], account: str) -> list[str]:
    """Supplement, withdraw, consent: each shown when the contract would take it from ``account`` now."""
    licensing, application = services().licensing, bytes.fromhex(answer["id"][2:])
    asked = {
        "Supplement": Call(licensing, "supplement", (application, PLACEHOLDER), account),
        "Withdraw": Call(licensing, "withdraw", (application,), account),
        "Consent": Call(licensing, "consent", (application,), account),
    }
    taken = may_take(services(), list(asked.values()))
    steps = [step for step, yes in zip(asked, taken, strict=True) if yes]
    return steps
