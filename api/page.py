"""The public verification page: server-rendered, Chinese first, readable on a phone, and saying the same as the
API (it is built from the same answers)."""

from __future__ import annotations

import datetime as dt
import re

import segno
from flask import Blueprint, current_app, redirect, render_template, request, url_for
from werkzeug.wrappers import Response as BaseResponse

from ledger.certificates.documents import BEIJING

from .answers import credit, registrants, verification
from .problems import Problem
from .services import services

bp = Blueprint("page", __name__)
CREDIT_CODE_SHAPE = re.compile(r"[0-9A-Z]{18}")  # certificate and registration numbers carry Chinese prefixes


@bp.get("/")
def index() -> str | BaseResponse | tuple[str, int]:
    """One search box: a certificate or registration number goes to the certificate, a credit code to the firm."""
    query = request.args.get("q", "").strip()
    if not query:
        return render_template("index.html")
    if CREDIT_CODE_SHAPE.fullmatch(query.upper()):
        return redirect(url_for("page.firm", credit_code=query.upper()))
    return redirect(url_for("page.certificate", number=query))


@bp.get("/c/<number>")
def certificate(number: str) -> str | tuple[str, int]:
    return _certificate_page(number, "certificate.html")


@bp.get("/c/<number>/print")
def printable(number: str) -> str | tuple[str, int]:
    """A one-page e-certificate for printing (or saving as PDF from the browser): QR code and document hash."""
    return _certificate_page(number, "print.html")


@bp.get("/f/<credit_code>")
def firm(credit_code: str) -> str | tuple[str, int]:
    """The firm, its credit grade and the lists it is on."""
    view = credit.current_picture()
    engine, code = services().engine, credit_code.strip().upper()
    try:
        answer = registrants.firm(services(), code)
        standing = credit.standing(engine, code, view)
    except Problem:
        return render_template("not_found.html", query=credit_code), 404
    return render_template("firm.html", f=answer, credit=standing)


def _certificate_page(number: str, template: str) -> str | tuple[str, int]:
    """The certificate now, or at the instant ``?at=`` (a bid deadline, Beijing time, as a date-time field sends
    it), with the same answer and wording as the API."""
    asked = request.args.get("at", "").strip()
    at = _beijing_instant(asked)
    if asked and at is None:
        return render_template("not_found.html", query=number, bad_instant=asked), 400
    try:
        answer = verification.certificate(services(), number, at)
    except Problem as refused:
        code = refused.extra_data.get("code")
        if code == "cannot-verify":
            return render_template("unverifiable.html", query=number), 503
        if code == "not-yet-issued":
            return render_template("not_found.html", query=number, not_yet=asked), 404
        if refused.status_code != 404:
            raise
        return render_template("not_found.html", query=number), 404
    return render_template(template, c=answer, qr=_qr(number), asked=asked)


def _beijing_instant(text: str) -> int | None:
    """``YYYY-MM-DDTHH:MM`` (a datetime-local field's value) in Beijing time as unix seconds; None if absent or
    not such a value (or outside what the API accepts)."""
    try:
        moment = dt.datetime.fromisoformat(text)
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=BEIJING)
    if not 1970 <= moment.year <= 9998:
        return None
    return int(moment.timestamp())


def _qr(number: str) -> str:
    """An SVG QR code of this certificate's page address, so a printed copy leads back to the live answer. The
    address is built on PUBLIC_ORIGIN, never on the request's Host header, which the client chooses."""
    url = current_app.config["PUBLIC_ORIGIN"].rstrip("/") + url_for("page.certificate", number=number)
    return segno.make(url, error="m").svg_inline(scale=4, border=2, dark="#111")
