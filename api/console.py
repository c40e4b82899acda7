"""The regulators' console (``/console``): the work queue of the signed-in regulator's authority, an application's
page with the steps the chain allows this regulator now, and a certificate's acts (suspension, reinstatement, the
four-eyes revocation). Every page is built from the API's own answers; every act is signed in the browser
(``api.web``). Roles come from the chain on every page, and the contract judges each act again when it is relayed.
"""

from __future__ import annotations

import datetime as dt
import json
import time
from typing import Any

from apiflask import APIBlueprint
from flask import render_template
from sqlalchemy.orm import Session

from ledger.certificates.documents import BEIJING
from ledger.chain.calls import call_many
from ledger.credit.vocabulary import CATEGORY_LABELS, SEVERITY_LABELS
from ledger.errors import ManifestError, StoredFileCorrupt, StoredFileMissing
from ledger.licensing import checks as review_checks
from ledger.licensing import queries as licensing_queries
from ledger.licensing.dossiers import DossierStore, ReadOnce
from ledger.licensing.manifests import parse_manifest
from ledger.store.models import Application
from wallet import reasons

from .act_forms import held_fields
from .answers import applications, credit, verification
from .answers.console import Desk, certificate_steps, desk_of, step_probes, steps_taken, words, work_queue
from .auth import role_calls, roles_from, roles_of
from .problems import Problem
from .services import services
from .web import protect_posts, signed_in

bp = APIBlueprint("console", __name__, url_prefix="/console", enable_openapi=False)  # pages, not API operations
bp.before_request(protect_posts)
Page = str | tuple[str, int]


def _desk() -> tuple[str | None, Desk | None]:
    account = signed_in()
    return account, (desk_of(roles_of(account)) if account else None)


def _not_a_desk(account: str | None) -> tuple[str, int]:
    return render_template("console/sign_in.html", account=account), 401 if account is None else 403


@bp.get("")
def queue() -> Page:
    account, desk = _desk()
    if account is None or desk is None:
        return _not_a_desk(account)
    return render_template("console/queue.html", q=work_queue(services(), desk, account, int(time.time())), desk=desk)


@bp.get("/applications/<application_id>")
def application(application_id: str) -> Page:
    """One application for its authority: dossier (each file's hash checked), the ledger's checks, timeline and
    objections, and a form for each step the contract would take from this regulator now. The regulator's roles and
    the steps are asked of the chain together, in one batch."""
    account = signed_in()
    if account is None:
        return _not_a_desk(account)
    ledger, now = services(), int(time.time())
    with Session(ledger.engine) as session:
        row = session.get(Application, application_id.lower())
        if row is None:
            return render_template("not_found.html", query=application_id), 404
        store = ReadOnce(ledger.dossiers)  # the checks and the file list read each file once between them
        checks = json.loads(review_checks.compute(session, store, row, now, ledger.grade_b_holding_period))
        session.expunge(row)
    answer = applications.application(ledger.engine, row.id)
    open_objections = [o["id"] for o in answer["objections"] if o["answeredAt"] is None]
    roles, probes = role_calls(account), step_probes(ledger, row, account, open_objections)
    answers = call_many(ledger.w3, roles + [call for _, call in probes])
    desk = desk_of(roles_from(answers[: len(roles)]))
    if desk is None:
        return _not_a_desk(account)
    if not desk.sees(row):  # another authority's application: as if it did not exist
        return render_template("not_found.html", query=application_id), 404
    return render_template(
        "console/application.html",
        a=answer,
        desk=desk,
        steps=steps_taken(row, probes, answers[len(roles) :]),
        words=words(ledger, answer),
        files=dossier_files(answer["dossier"], store),
        decision=_decision_defaults(answer, desk, now),
        checks=checks,
        now=now,
    )


@bp.get("/certificates/<number>")
def certificate(number: str) -> Page:
    """A certificate's acts for the regulator over it: suspend, reinstate, propose a revocation, and confirm (or,
    as its proposer, withdraw) a proposal open on it."""
    account, desk = _desk()
    if account is None or desk is None:
        return _not_a_desk(account)
    ledger = services()
    try:
        answer = verification.certificate(ledger, number)
    except Problem:
        return render_template("not_found.html", query=number), 404
    with Session(ledger.engine) as session:
        proposals = [p for p in licensing_queries.proposals(session, "OPEN") if p.certificate_id == answer["id"]]
        for proposal in proposals:
            session.expunge(proposal)
    records = _published_dishonesty(answer)
    steps = certificate_steps(ledger, answer["id"], account, proposals, [r["id"] for r in records])
    return render_template(
        "console/certificate.html", c=answer, desk=desk, steps=steps, proposals=proposals, records=records,
        categories=CATEGORY_LABELS, severities=SEVERITY_LABELS, act_reasons=reasons.SIGNED_ACT_REASONS,
    )  # fmt: skip


def _published_dishonesty(answer: dict[str, Any]) -> list[dict[str, Any]]:
    """The firm's dishonesty records still published and not restored: what a restoration may be asked for."""
    code = answer["holder"].get("creditCode")
    if answer["kind"] != "FIRM" or not code:
        return []
    standing = credit.standing(services().engine, code, credit.current_picture())
    return [r for r in standing["records"] if r["kind"] == "DISHONESTY" and r["restored"] is None]


def dossier_files(dossier: str, store: DossierStore | None = None) -> list[dict[str, Any]]:
    """The files the dossier's manifest names, each with whether the store holds exactly those bytes (the same
    test as the ledger's dossier check)."""
    store = store or services().dossiers
    try:
        manifest = parse_manifest(store.read(dossier))
    except (StoredFileMissing, StoredFileCorrupt, ManifestError):
        return []
    return [
        {"name": entry.name, "mediaType": entry.media_type, "size": entry.size, "keccak256": entry.keccak256,
         "checked": state == "stored"}
        for entry, state in review_checks.file_states(store, manifest)
    ]  # fmt: skip


def _decision_defaults(answer: dict[str, Any], desk: Desk, now: int) -> dict[str, Any]:
    """What the decision form starts with: today, five years' validity, this authority, the fields held."""
    today = dt.datetime.fromtimestamp(now, BEIJING).date()
    certificate = answer.get("certificate")
    held = (held_fields(certificate["id"]) if certificate else None) or {}
    return {
        "validFrom": today.isoformat(),
        "validUntil": (today.replace(year=today.year + 5) - dt.timedelta(days=1)).isoformat(),
        "issuingAuthority": held.get("issuingAuthority") or desk.label.replace("主管部门", "厅"),
        "address": held.get("address", ""),
        "scope": held.get("scope", "城乡规划编制（国土空间规划编制）"),
        "number": held.get("number", "") if answer["kind"] == "CHANGE" else "",  # a change keeps its number
    }
