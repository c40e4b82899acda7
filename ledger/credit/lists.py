"""The honesty list (诚信名单), the yellow list (黄名单: warnings) and the blacklist (黑名单), derived from the read
model at an instant. Nothing is stored: an entry exists while its reason holds, with the time the reason began
(``since``) and, for entries that left, the time it ended (``until``). Since every reason is a function of the
indexed acts and the clock, an act shows on the lists as soon as the indexer has written it.

Reasons:
- yellow ``planners-below-rule``: a qualified firm has fewer registered planners than its grade's rule set asks,
  since the transfer, revocation or expiry that took it below (or since issue, if it never met the rule);
- yellow ``expiring``: a firm certificate within the renewal lead time of its end and not renewed;
- yellow ``planner-sanctioned``: a planner with a dishonesty record published, or a suspended registration;
- yellow ``dishonesty-published``: a firm with a general (一般) dishonesty record published;
- black ``serious-dishonesty`` / ``renting-lending``: a serious record, or any 挂证 (renting, lending) record;
- black ``revoked-for-fraud`` (barred for the rule set's years) / ``revoked-renting-lending`` (never lifted);
- honesty ``top-grade-clean``: graded at the top grade, with no dishonesty record in the rule set's period and
  no yellow or black entry now.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, select, true, tuple_

from ledger.certificates.projection import ISSUING_ACTS
from ledger.certificates.vocabulary import Kind, Status
from ledger.credit.model import Assessment
from ledger.credit.register import QualifiedFirm
from ledger.credit.vocabulary import Category, CreditKind, ListReason, Severity
from ledger.rules import GradingRules, StaffingRules
from ledger.store.models import Certificate, CertificateEvent, EmploymentPeriod
from wallet.reasons import RevocationReason

LISTS = ("honesty", "yellow", "black")


@dataclass(frozen=True)
class ListEntry:
    list: str
    reason: ListReason
    subject: str
    subject_kind: int
    since: int
    until: int | None  # None while the reason holds
    detail: dict[str, Any]


def current(entries: Iterable[ListEntry], now: int) -> list[ListEntry]:
    return [e for e in entries if e.since <= now and (e.until is None or e.until > now)]


def changes(entries: Iterable[ListEntry], now: int, window: int) -> list[tuple[int, str, ListEntry]]:
    """(time, "joined" | "left", entry) for every entry that began or ended in the last ``window`` seconds."""
    found = []
    for entry in entries:
        if now - window <= entry.since <= now:
            found.append((entry.since, "joined", entry))
        if entry.until is not None and now - window <= entry.until <= now:
            found.append((entry.until, "left", entry))
    return sorted(found, key=lambda change: change[0], reverse=True)


# ---- the yellow list ----


def staffing_entries(
    connection: Connection, firms: dict[str, QualifiedFirm], rules: StaffingRules, now: int
) -> list[ListEntry]:
    """Firms below their grade's minimum of registered planners now, each since the move that took it below."""
    short = {s: f for s, f in firms.items() if f.planners < rules.min_planners[f.grade]}
    if not short:
        return []
    p, c = EmploymentPeriod.__table__.c, Certificate.__table__.c
    rows = connection.execute(
        select(p.employer, p.started_at, p.ended_at, c.valid_from, c.valid_until)
        .join(Certificate, c.id == p.certificate_id)
        .where(p.employer.in_(list(short)))
    )
    moves: dict[str, list[tuple[int, int]]] = defaultdict(list)
    for row in rows:
        start = max(row.started_at, row.valid_from)
        end = min(row.ended_at if row.ended_at is not None else row.valid_until, row.valid_until)
        moves[row.employer].append((start, +1))
        if end <= now:
            moves[row.employer].append((end, -1))
    entries = []
    for subject, firm in short.items():
        minimum = rules.min_planners[firm.grade]
        since = _below_since(moves[subject], minimum, now)
        detail = {"registeredPlanners": firm.planners, "minimum": minimum, "grade": firm.grade, "number": firm.number}
        entries.append(
            ListEntry(
                "yellow",
                ListReason.PLANNERS_BELOW_RULE,
                subject,
                Kind.FIRM,
                max(since, firm.first_qualified),
                None,
                detail,
            )
        )
    return entries


def _below_since(moves: list[tuple[int, int]], minimum: int, now: int) -> int:
    """When the count last fell below ``minimum`` (arrivals before departures at the same instant); 0 if it
    never reached it."""
    count, since = 0, 0
    for at, step in sorted(moves, key=lambda m: (m[0], -m[1])):
        if at > now:
            break
        before = count
        count += step
        if before >= minimum > count:
            since = at
    return since


def expiring_entries(connection: Connection, rules: StaffingRules, now: int, window: int) -> list[ListEntry]:
    """Firm certificates within the renewal lead time of their end and not renewed (open), and those that left
    in the last ``window`` seconds (renewed, revoked or lapsed)."""
    c = Certificate.__table__.c
    lead = rules.renewal_lead_seconds
    rows = connection.execute(
        select(c.id, c.number, c.subject, c.name, c.status, c.valid_until, c.updated_at).where(
            c.kind == int(Kind.FIRM),
            c.valid_until - lead <= now,
            c.valid_until >= now - window,
            c.status.in_([int(Status.ACTIVE), int(Status.SUPERSEDED), int(Status.REVOKED)]),
        )
    )
    entries = []
    for row in rows:
        since = row.valid_until - lead
        if row.status == Status.ACTIVE:
            until = row.valid_until if row.valid_until <= now else None
        elif row.updated_at > since:  # renewed (superseded) or revoked within the lead time
            until = row.updated_at
        else:
            continue
        detail = {"number": row.number, "validUntil": row.valid_until}
        entries.append(ListEntry("yellow", ListReason.EXPIRING, row.subject, Kind.FIRM, since, until, detail))
    return entries


def sanctioned_planner_entries(connection: Connection, records: list[dict[str, Any]]) -> list[ListEntry]:
    """Planners with a dishonesty record published (or ended recently), and planners suspended now."""
    entries = [
        _record_entry("yellow", ListReason.PLANNER_SANCTIONED, record)
        for record in records
        if record["subject_kind"] == Kind.PLANNER and record["kind"] == CreditKind.DISHONESTY
    ]
    c = Certificate.__table__.c
    suspended = connection.execute(
        select(c.subject, c.number, c.updated_at, c.credit_code).where(
            c.kind == int(Kind.PLANNER), c.status == int(Status.SUSPENDED)
        )
    )
    for row in suspended:
        detail = {"number": row.number, "employerCreditCode": row.credit_code, "suspended": True}
        entries.append(
            ListEntry("yellow", ListReason.PLANNER_SANCTIONED, row.subject, Kind.PLANNER, row.updated_at, None, detail)
        )
    return entries


def firm_dishonesty_entries(records: list[dict[str, Any]]) -> list[ListEntry]:
    return [
        _record_entry("yellow", ListReason.DISHONESTY_PUBLISHED, record)
        for record in records
        if record["subject_kind"] == Kind.FIRM
        and record["kind"] == CreditKind.DISHONESTY
        and record["severity"] == Severity.GENERAL
        and record["category"] != Category.RENTING_LENDING
    ]


# ---- the blacklist ----


def blacklist_entries(
    connection: Connection,
    records: list[dict[str, Any]],
    rules: GradingRules,
    now: int,
    window: int,
    subjects: Collection[str] | None = None,
) -> list[ListEntry]:
    """The blacklist's entries: from the records, and from revocations (of ``subjects`` only, when given)."""
    entries = []
    for record in records:
        if record["kind"] != CreditKind.DISHONESTY:
            continue
        if record["category"] == Category.RENTING_LENDING:
            entries.append(_record_entry("black", ListReason.RENTING_LENDING, record))
        elif record["severity"] == Severity.SERIOUS:
            entries.append(_record_entry("black", ListReason.SERIOUS_DISHONESTY, record))
    e, c = CertificateEvent.__table__.c, Certificate.__table__.c
    # A revocation counts only against the subject's qualification of the moment (the contract's qualificationOf
    # or registrationOf): not against a lapsed certificate, nor one a later certificate had displaced already.
    created, later, later_created = (
        CertificateEvent.__table__.alias("created"),
        Certificate.__table__.alias("later"),
        CertificateEvent.__table__.alias("later_created"),
    )
    position = tuple_(e.block_number, e.log_index)
    displaced = (
        select(later.c.id)
        .join(later_created, later_created.c.certificate_id == later.c.id)
        .where(
            later.c.subject == c.subject,
            later.c.kind == c.kind,
            later_created.c.act.in_(ISSUING_ACTS),
            tuple_(later_created.c.block_number, later_created.c.log_index)
            > tuple_(created.c.block_number, created.c.log_index),
            tuple_(later_created.c.block_number, later_created.c.log_index) < position,
        )
        .exists()
    )
    revocations = connection.execute(
        select(e.certificate_id, e.block_time, e.data, c.subject, c.kind, c.number)
        .join(Certificate, c.id == e.certificate_id)
        .join(created, (created.c.certificate_id == c.id) & created.c.act.in_(ISSUING_ACTS))
        .where(e.act == "REVOKE", e.block_time < c.valid_until, ~displaced)
        .where(c.subject.in_(list(subjects)) if subjects is not None else true())
    )
    for row in revocations:
        reason = json.loads(row.data)["reason"]
        detail = {"number": row.number, "revocationReason": reason}
        if reason == RevocationReason.RENTING_LENDING:
            entries.append(
                ListEntry(
                    "black", ListReason.REVOKED_RENTING_LENDING, row.subject, row.kind, row.block_time, None, detail
                )
            )
        elif reason == RevocationReason.FRAUD:
            until = row.block_time + rules.fraud_ban_seconds
            if until >= now - window:
                entries.append(
                    ListEntry(
                        "black", ListReason.REVOKED_FOR_FRAUD, row.subject, row.kind, row.block_time,
                        until if until <= now else None, {**detail, "barredUntil": until},
                    )
                )  # fmt: skip
    return entries


# ---- the honesty list ----


def honesty_entries(
    firms: dict[str, QualifiedFirm],
    assessments: dict[str, Assessment],
    excluded: set[str],
    last_dishonesty_end: dict[str, int],
    rules: GradingRules,
) -> list[ListEntry]:
    """Firms graded at the top grade, not ``excluded`` (a dishonesty record in the period, or on another list
    now); since the later of their first qualification and the end of their last dishonesty record."""
    entries = []
    for subject, assessment in assessments.items():
        if assessment.grade != rules.honesty_grade or subject in excluded:
            continue
        firm = firms[subject]
        since = max(firm.first_qualified, last_dishonesty_end.get(subject, 0))
        detail = {"creditGrade": assessment.grade, "composite": round(assessment.composite, 2), "number": firm.number}
        entries.append(ListEntry("honesty", ListReason.TOP_GRADE_CLEAN, subject, Kind.FIRM, since, None, detail))
    return entries


def _record_entry(list_name: str, reason: ListReason, record: dict[str, Any]) -> ListEntry:
    detail = {
        "record": record["id"],
        "decisionNumber": record["decision_number"],
        "category": record["category"],
        "severity": record["severity"],
        "restored": record["restored_at"] is not None,
    }
    return ListEntry(
        list_name,
        reason,
        record["subject"],
        record["subject_kind"],
        record["published_from"],
        record["ended_at"],
        detail,
    )
