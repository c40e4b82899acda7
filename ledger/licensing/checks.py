"""The checks the ledger makes for a reviewer, from the read model and the dossier store at one instant: the
firm's registered planners against its grade's minimum, the planners its dossier counts who are bound to another
firm or counted by another firm's pending application (the 挂证 signal), grade B held long enough for an upgrade,
the qualification held (none for a first application, a live one otherwise), the blacklist and dishonesty on
record, and the dossier's files all present with their hashes. Canonical JSON (RFC 8785), stored in the dossier
store: its keccak256 is the review's ``checksHash`` on chain, so anyone can tell which figures a reviewer saw.

Verdicts: ``fail`` a rule not met, ``warn`` a signal for the reviewer's judgement, ``unknown`` the ledger cannot
tell, ``pass``. The checks inform a review; they decide nothing."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal

import rfc8785
from sqlalchemy import Connection, select
from sqlalchemy.orm import Session

from ledger.certificates.queries import BINDING
from ledger.certificates.vocabulary import Grade, Kind, Status
from ledger.credit.lists import blacklist_entries, current
from ledger.credit.register import published_records, qualified_firms, registered_planners
from ledger.credit.vocabulary import CreditKind, Severity
from ledger.errors import DossierError, StoredFileCorrupt, StoredFileMissing
from ledger.licensing.dossiers import DossierStore
from ledger.licensing.manifests import Manifest, ManifestFile, parse_manifest
from ledger.licensing.vocabulary import FINAL_STAGES, PLANNER_KINDS
from ledger.rules import grading_rules, staffing_rules
from ledger.store.models import Application, Certificate

FORMAT = "planning-ledger/review-checks/v1"
Verdict = Literal["pass", "fail", "warn", "unknown"]


def compute(session: Session, store: DossierStore, application: Application, at: int, holding_period: int) -> bytes:
    """The checks of ``application`` at ``at`` as canonical JSON bytes. ``holding_period``: the seconds grade B
    must be held before an upgrade (the certificate registry's GRADE_B_HOLDING_PERIOD)."""
    connection = session.connection()
    rules = staffing_rules()
    manifest, dossier = _dossier(store, application.dossier)
    planners = _counted(connection, manifest.planners if manifest else (), at)
    staffing = (
        [_employer(connection, application, at)]
        if application.kind in PLANNER_KINDS  # a planner's application: the firm it works for, not a staff count
        else [
            _staffing(connection, application, planners, at, rules.min_planners[application.grade]),
            _planners_elsewhere(connection, store, application, planners, at),
        ]
    )
    checks = [
        *staffing,
        *([_grade_held(connection, application, at, holding_period)] if application.kind == "UPGRADE" else []),
        _qualification(connection, application, at),
        _credit(connection, application.subject, at),
        dossier,
    ]
    return rfc8785.dumps(
        {
            "format": FORMAT,
            "application": application.id,
            "kind": application.kind,
            "grade": Grade(application.grade).name,
            "stage": application.stage,
            "dossier": application.dossier,
            "at": at,
            "rules": {"staffing": rules.rules.citation(), "credit": grading_rules().rules.citation()},
            "checks": checks,
        }
    )


def _check(name: str, verdict: Verdict, **figures: Any) -> dict[str, Any]:
    return {"name": name, "verdict": verdict, "figures": figures}


# ---- staffing ----


def _counted(connection: Connection, numbers: Sequence[str], at: int) -> dict[str, dict[str, Any]]:
    """Planners by registration number: the planner's subject (None: no such registration) and the firm his
    registration under that number binds him to at ``at`` (None: not live)."""
    if not numbers:
        return {}
    c = Certificate.__table__.c
    rows = connection.execute(
        select(c.number, c.subject, c.employer, c.status, c.valid_from, c.valid_until).where(
            c.kind == int(Kind.PLANNER), c.number.in_(sorted(set(numbers)))
        )
    ).mappings()
    found = {
        row["number"]: {"planner": row["subject"], "employer": row["employer"] if _live(row, at) else None}
        for row in rows
    }
    return {number: found.get(number, {"planner": None, "employer": None}) for number in numbers}


def _live(row: Any, at: int) -> bool:
    """A registration that binds its planner at ``at``: active or suspended, within its window."""
    return row["status"] in BINDING and row["valid_from"] <= at < row["valid_until"]


def _staffing(
    connection: Connection, application: Application, counted: dict[str, dict[str, Any]], at: int, minimum: int
) -> dict[str, Any]:
    """Registered planners bound to the firm now against the minimum of the grade applied for. A firm applying
    for its first qualification can have none bound (the registry binds planners to qualified firms only): its
    dossier's registered planners are compared instead, and a pass is never more than a warning."""
    bound = registered_planners(connection, at, [application.subject]).get(application.subject, 0)
    if application.kind != "FIRST":
        return _check("registered-planners", "pass" if bound >= minimum else "fail", bound=bound, minimum=minimum)
    registered = sum(1 for p in counted.values() if p["employer"] is not None)
    return _check(
        "registered-planners",
        "warn" if registered >= minimum else "fail",
        bound=bound,
        minimum=minimum,
        countedRegistered=registered,
    )


def _planners_elsewhere(
    connection: Connection, store: DossierStore, application: Application, counted: dict[str, dict[str, Any]], at: int
) -> dict[str, Any]:
    """The 挂证 signal: each planner the dossier counts who is bound to another firm, holds no live registration,
    or is counted by another firm's pending application."""
    if not counted:
        return _check("planners-elsewhere", "unknown", counted=0, flagged=[])
    others = _counted_by_others(connection, store, application, at)
    flagged = []
    for number, planner in counted.items():
        reasons = []
        if planner["employer"] is None:
            reasons.append({"reason": "no-live-registration"})
        elif planner["employer"] != application.subject:
            reasons.append({"reason": "bound-to-other-firm", "firm": planner["employer"]})
        reasons += [
            {"reason": "counted-by-other-application", "application": other}
            for other in sorted(others.get(planner["planner"] or "", ()))
        ]
        if reasons:
            flagged.append({"registrationNumber": number, "signals": reasons})
    return _check("planners-elsewhere", "warn" if flagged else "pass", counted=len(counted), flagged=flagged)


def _counted_by_others(
    connection: Connection, store: DossierStore, application: Application, at: int
) -> dict[str, set[str]]:
    """Planner subject → the ids of other firms' pending applications whose stored manifests count him."""
    a = Application.__table__.c
    pending = connection.execute(
        select(a.id, a.dossier).where(a.subject != application.subject, a.stage.not_in(FINAL_STAGES))
    )
    numbers: dict[str, list[str]] = {}
    for row in pending:
        manifest, _ = _dossier(store, row.dossier)
        if manifest is not None:
            numbers[row.id] = list(manifest.planners)
    planners = _counted(connection, [n for listed in numbers.values() for n in listed], at)
    found: dict[str, set[str]] = {}
    for other, listed in numbers.items():
        for number in listed:
            if (subject := planners[number]["planner"]) is not None:
                found.setdefault(subject, set()).add(other)
    return found


# ---- the qualification ----


def _grade_held(connection: Connection, application: Application, at: int, holding_period: int) -> dict[str, Any]:
    held_since = connection.execute(
        select(Certificate.held_since).where(Certificate.id == application.certificate_id)
    ).scalar()
    if held_since is None:
        return _check("grade-held", "unknown", certificate=application.certificate_id)
    eligible = held_since + holding_period
    return _check(
        "grade-held",
        "pass" if at >= eligible else "fail",
        heldSince=held_since,
        eligibleAt=eligible,
        heldDays=max(0, at - held_since) // 86400,
        requiredDays=holding_period // 86400,
    )


def _employer(connection: Connection, application: Application, at: int) -> dict[str, Any]:
    """A planner's registration or change of employer names a firm with a live qualification (the registry refuses
    the decision otherwise); a planner's other applications keep the employer the registration names."""
    employer = application.employer
    if employer is None:
        c = Certificate.__table__.c
        employer = connection.execute(select(c.employer).where(c.id == application.certificate_id)).scalar()
    held = qualified_firms(connection, at, [employer]).get(employer) if employer else None
    if held is None:
        return _check("employer-qualified", "fail", employer=employer)
    return _check("employer-qualified", "pass", employer=employer, qualification=held.number)


def _qualification(connection: Connection, application: Application, at: int) -> dict[str, Any]:
    """A first application needs a firm without a live qualification, a planner's registration a planner without a
    live registration; every other kind, a live certificate."""
    if application.kind == "PLANNER_REGISTRATION":
        c = Certificate.__table__.c
        rows = connection.execute(
            select(c.number, c.status, c.valid_from, c.valid_until).where(
                c.subject == application.subject, c.kind == int(Kind.PLANNER)
            )
        ).mappings()
        live = [r["number"] for r in rows if r["status"] == Status.ACTIVE and r["valid_from"] <= at < r["valid_until"]]
        return _check("qualification", "fail" if live else "pass", held=live[0] if live else None)
    if application.kind == "FIRST":
        held = qualified_firms(connection, at, [application.subject]).get(application.subject)
        if held is None:
            return _check("qualification", "pass", held=None)
        return _check("qualification", "fail", held=held.number, grade=Grade(held.grade).name)
    c = Certificate.__table__.c
    row = (
        connection.execute(
            select(c.number, c.status, c.valid_from, c.valid_until).where(c.id == application.certificate_id)
        )
        .mappings()
        .first()
    )
    if row is None:
        return _check("qualification", "unknown", certificate=application.certificate_id)
    live = row["status"] == Status.ACTIVE and row["valid_from"] <= at < row["valid_until"]
    return _check(
        "qualification", "pass" if live else "fail", certificate=row["number"], status=Status(row["status"]).name
    )


# ---- credit ----


def _credit(connection: Connection, subject: str, at: int) -> dict[str, Any]:
    """The firm on the blacklist now (serious dishonesty, 挂证, a revocation that bars it), or a general
    dishonesty record published."""
    records = [r for r in published_records(connection, at) if r["subject"] == subject]
    black = [
        {"reason": e.reason, "since": e.since}
        for e in current(blacklist_entries(connection, records, grading_rules(), at, 0, [subject]), at)
        if e.subject == subject
    ]
    general = [
        r["id"]
        for r in records
        if r["subject"] == subject and r["kind"] == CreditKind.DISHONESTY and r["severity"] == Severity.GENERAL
    ]
    verdict: Verdict = "fail" if black else "warn" if general else "pass"
    return _check("credit", verdict, blacklist=black, dishonestyRecords=general)


# ---- the dossier ----


def file_states(store: DossierStore, manifest: Manifest) -> list[tuple[ManifestFile, str]]:
    """Each file the manifest names, and whether the store holds it as named: ``stored`` (its bytes have its hash
    and the manifest's size), ``missing`` or ``damaged``."""
    states = []
    for entry in manifest.files:
        try:
            data = store.read(entry.keccak256)
        except StoredFileMissing:
            states.append((entry, "missing"))
            continue
        except StoredFileCorrupt:
            states.append((entry, "damaged"))
            continue
        states.append((entry, "stored" if len(data) == entry.size else "damaged"))
    return states


def _dossier(store: DossierStore, dossier: str) -> tuple[Manifest | None, dict[str, Any]]:
    """The manifest the application's dossier hash names (None if the store lacks it or it is no manifest) and
    the check that every file it lists is stored with its hash and size."""
    try:
        manifest = parse_manifest(store.read(dossier))
    except StoredFileMissing:
        return None, _check("dossier-files", "fail", manifest="missing")
    except StoredFileCorrupt:
        return None, _check("dossier-files", "fail", manifest="corrupt")
    except DossierError:
        return None, _check("dossier-files", "fail", manifest="not-a-manifest")
    states = file_states(store, manifest)
    missing = [entry.name for entry, state in states if state == "missing"]
    damaged = [entry.name for entry, state in states if state == "damaged"]
    verdict: Verdict = "fail" if missing or damaged or not manifest.files else "pass"
    return manifest, _check(
        "dossier-files", verdict, manifest="stored", files=len(manifest.files), missing=missing, damaged=damaged
    )
