"""What credit supervision reads from the read model at one instant: the qualified firms with their strength
indicators, registered planners and published credit records. A handful of set-based queries for the whole
register, so grading 3,000 firms costs a few queries, not one per firm."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, func, select, true

from ledger.certificates.projection import ISSUING_ACTS
from ledger.certificates.queries import BINDING
from ledger.certificates.vocabulary import Kind, Status
from ledger.credit.model import FirmFacts
from ledger.credit.vocabulary import CreditKind, Severity
from ledger.store.models import Certificate, CertificateEvent, CreditRecord, FirmProfile

YEAR = 365 * 86400
_RECORD = CreditRecord.__table__.c
_publication_end = func.coalesce(_RECORD.restored_at, _RECORD.published_until)  # a restoration ends it early


@dataclass(frozen=True)
class QualifiedFirm:
    """A firm holding a valid qualification now: its grade and the certificate behind it."""

    subject: str
    name: str
    credit_code: str | None
    province: int
    grade: int
    certificate_id: str
    number: str
    valid_until: int
    first_qualified: int
    planners: int
    profile: dict[str, int] | None


def qualified_firms(
    connection: Connection, now: int, subjects: Collection[str] | None = None
) -> dict[str, QualifiedFirm]:
    """Every firm whose qualification (its latest firm certificate) is ACTIVE and in force at ``now``, by subject;
    only those of ``subjects`` when given (an application's checks ask about one or two firms, not the register)."""
    c = Certificate.__table__.c
    only = c.subject.in_(list(subjects)) if subjects is not None else true()
    first = dict(
        connection.execute(
            select(c.subject, func.min(c.valid_from)).where(c.kind == int(Kind.FIRM), only).group_by(c.subject)
        ).all()
    )
    planners = registered_planners(connection, now, subjects)
    profile_rows = select(FirmProfile.__table__)
    if (
        subjects is not None
    ):  # the profiles of the firms asked about: their credit codes, as their certificates have them
        codes = select(c.credit_code).where(c.kind == int(Kind.FIRM), only).scalar_subquery()
        profile_rows = profile_rows.where(FirmProfile.__table__.c.credit_code.in_(codes))
    profiles = {
        row.credit_code: {
            "technical_staff": row.technical_staff,
            "senior_titles": row.senior_titles,
            "projects": row.projects,
        }
        for row in connection.execute(profile_rows)
    }
    created = CertificateEvent.__table__.alias("created")
    rows = connection.execute(
        select(
            c.subject, c.name, c.credit_code, c.province, c.grade, c.id, c.number, c.status, c.valid_from,
            c.valid_until,
        )
        .join(created, (created.c.certificate_id == c.id) & created.c.act.in_(ISSUING_ACTS))
        .where(c.kind == int(Kind.FIRM), c.issued_at <= now, only)
        .order_by(c.subject, created.c.block_number.desc(), created.c.log_index.desc())
    )  # fmt: skip
    firms: dict[str, QualifiedFirm] = {}
    seen: set[str] = set()
    for row in rows:
        # The subject's qualification is its latest firm certificate, as the contract's qualificationOf says;
        # an older one still ACTIVE beside it carries no grade and no credit.
        if row.subject in seen:
            continue
        seen.add(row.subject)
        if row.status != int(Status.ACTIVE) or not row.valid_from <= now < row.valid_until:
            continue
        firms[row.subject] = QualifiedFirm(
            row.subject,
            row.name,
            row.credit_code,
            row.province,
            row.grade,
            row.id,
            row.number,
            row.valid_until,
            first[row.subject],
            planners.get(row.subject, 0),
            profiles.get(row.credit_code or ""),
        )
    return firms


def registered_planners(connection: Connection, now: int, employers: Collection[str] | None = None) -> dict[str, int]:
    """Registered planners per firm subject now: live registrations in force that name the firm (of ``employers``
    only, when given)."""
    c = Certificate.__table__.c
    only = c.employer.in_(list(employers)) if employers is not None else true()
    query = (
        select(c.employer, func.count())
        .where(c.kind == int(Kind.PLANNER), c.status.in_(BINDING), c.valid_from <= now, c.valid_until > now, only)
        .group_by(c.employer)
    )
    return dict(connection.execute(query).all())


def published_records(connection: Connection, now: int, *, ended_since: int | None = None) -> list[dict[str, Any]]:
    """Credit records published at ``now`` (from ≤ now, before their maximum end, not restored); with
    ``ended_since``, also those whose publication ended since then. Each row has ``ended_at`` (None if open)."""
    r = _RECORD
    horizon = now if ended_since is None else ended_since
    query = (
        select(CreditRecord.__table__)
        .where(r.published_from <= now, _publication_end > horizon)
        .order_by(r.published_from, r.id)
    )
    records = []
    for row in connection.execute(query).mappings():
        record = dict(row)
        ended = record["restored_at"] if record["restored_at"] is not None else record["published_until"]
        record["ended_at"] = ended if ended <= now else None
        records.append(record)
    return records


def dishonest_since(connection: Connection, since: int) -> set[str]:
    """Subjects with a dishonesty record published at any time since ``since`` (the honesty list's period)."""
    r = _RECORD
    query = select(r.subject).where(r.kind == int(CreditKind.DISHONESTY), _publication_end > since)
    return set(connection.scalars(query.distinct()))


def firm_facts(firms: dict[str, QualifiedFirm], records: list[dict[str, Any]], now: int) -> list[FirmFacts]:
    """The grading model's input: strength indicators and the points of the records published now."""
    honour: dict[str, int] = defaultdict(int)
    dishonesty: dict[str, int] = defaultdict(int)
    serious: set[str] = set()
    behind: dict[str, list[str]] = defaultdict(list)
    for record in records:
        if record["ended_at"] is not None or record["subject"] not in firms:
            continue
        subject = record["subject"]
        behind[subject].append(record["id"])
        if record["kind"] == CreditKind.HONOUR:
            honour[subject] += record["points"]
        else:
            dishonesty[subject] += record["points"]
            if record["severity"] == Severity.SERIOUS:
                serious.add(subject)
    facts = []
    for subject, firm in firms.items():
        profile = firm.profile or {"technical_staff": 0, "senior_titles": 0, "projects": 0}
        strength = {
            **profile,
            "registered_planners": firm.planners,
            "years_qualified": round(max(0, now - firm.first_qualified) / YEAR, 4),
        }
        facts.append(
            FirmFacts(
                subject,
                strength,
                honour[subject],
                dishonesty[subject],
                subject in serious,
                tuple(behind[subject]),
            )
        )
    return facts


def last_dishonesty_end(connection: Connection, now: int) -> dict[str, int]:
    """When each subject's last dishonesty record stopped being published (records ended by ``now``)."""
    r = _RECORD
    query = (
        select(r.subject, func.max(_publication_end))
        .where(r.kind == int(CreditKind.DISHONESTY), _publication_end <= now)
        .group_by(r.subject)
    )
    return dict(connection.execute(query).all())
