"""The regulators' dashboard (管理驾驶舱): qualified firms by grade and province, certificates expiring soon,
changes to the yellow and black lists, recent acts on chain and the inspection rounds. Public data only."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, render_template
from sqlalchemy import Connection, func, select
from sqlalchemy.orm import Session

from ledger.certificates import queries
from ledger.certificates.identifiers import PROVINCES
from ledger.certificates.vocabulary import ACT_LABELS, Kind, Status
from ledger.credit.lists import changes
from ledger.credit.supervision import CreditPicture
from ledger.credit.vocabulary import CreditKind, category_label
from ledger.store.models import Certificate, CertificateEvent, CreditRecord, InspectionRound

from .answers import instant
from .credit import current_picture, entry_answers
from .services import services

bp = Blueprint("dashboard", __name__)
RECENT = 20


@bp.get("/dashboard")
def dashboard() -> str:
    view = current_picture()
    engine = services().engine
    with engine.connect() as connection:
        by_province = grades_by_province(view)
        acts = recent_acts(connection)
        rounds = connection.execute(
            select(InspectionRound.id, InspectionRound.title, InspectionRound.sample_size, InspectionRound.draw_block)
            .order_by(InspectionRound.block_number.desc())
            .limit(5)
        ).all()
        planners = connection.scalar(
            select(func.count()).where(
                Certificate.kind == Kind.PLANNER,
                Certificate.status.in_([Status.ACTIVE, Status.SUSPENDED]),
                Certificate.valid_until > view.at,
            )
        )
    recent_changes = [
        (moment, change, entry)
        for moment, change, entry in changes(view.entries, view.at, 30 * 86400)
        if entry.list in ("yellow", "black")
    ][:RECENT]
    expiring = sorted(
        (e for e in view.listed("yellow") if e.reason == "expiring"), key=lambda e: e.detail["validUntil"]
    )
    with Session(engine) as session:
        change_rows = entry_answers(session, [entry for _, _, entry in recent_changes])
        expiring_rows = [
            {**row, "validUntil": instant(row["detail"]["validUntil"]).date()}
            for row in entry_answers(session, expiring[:RECENT])
        ]
        status = queries.index_status(session)
    return render_template(
        "dashboard.html",
        at=instant(view.at),
        tiles=tiles(view, planners),
        chart=by_province,
        expiring=expiring_rows,
        expiring_total=len(expiring),
        changes=[(instant(m), c, row) for (m, c, _), row in zip(recent_changes, change_rows, strict=True)],
        acts=acts,
        rounds=rounds,
        index_block=status.block_number if status else None,
        rules=view.rules(),
    )


def tiles(view: CreditPicture, planners: int) -> list[tuple[str, int]]:
    grades = [f.grade for f in view.firms.values()]
    credit = [a.grade for a in view.assessments.values()]
    return [
        ("持证单位 Qualified firms", len(grades)),
        ("甲级 Grade A", grades.count(1)),
        ("乙级 Grade B", grades.count(2)),
        ("注册规划师 Registered planners", planners),
        ("信用A级 Credit grade A", credit.count("A")),
        ("诚信名单 Honesty list", len(view.listed("honesty"))),
        ("黄名单 Yellow list", len(view.listed("yellow"))),
        ("黑名单 Blacklist", len(view.listed("black"))),
    ]


def grades_by_province(view: CreditPicture) -> list[dict[str, Any]]:
    """Qualified firms per province and grade, largest first: the bar chart's rows."""
    counts: dict[int, list[int]] = {}
    for firm in view.firms.values():
        counts.setdefault(firm.province, [0, 0])[firm.grade - 1] += 1
    rows = [
        {"province": code, "name": PROVINCES.get(code, str(code)), "a": a, "b": b, "total": a + b}
        for code, (a, b) in counts.items()
    ]
    rows.sort(key=lambda r: (-r["total"], r["province"]))
    top = max((r["total"] for r in rows), default=1)
    for row in rows:
        row["a_width"], row["b_width"] = 100 * row["a"] / top, 100 * row["b"] / top
    return rows


def recent_acts(connection: Connection) -> list[dict[str, Any]]:
    """The newest certificate acts and credit records, newest first."""
    e, c = CertificateEvent.__table__.c, Certificate.__table__.c
    certificate_acts = connection.execute(
        select(e.block_number, e.log_index, e.block_time, e.act, c.number, c.name)
        .join(Certificate, c.id == e.certificate_id)
        .order_by(e.block_number.desc(), e.log_index.desc())
        .limit(RECENT)
    )
    acts = [
        {
            "position": (row.block_number, row.log_index),
            "at": instant(row.block_time),
            "act": ACT_LABELS.get(row.act, row.act),
            "what": f"{row.number} {row.name}",
        }
        for row in certificate_acts
    ]
    r = CreditRecord.__table__.c
    for row in connection.execute(select(r).order_by(r.block_number.desc(), r.log_index.desc()).limit(RECENT)):
        label = "荣誉" if row.kind == CreditKind.HONOUR else "失信"
        acts.append(
            {
                "position": (row.block_number, row.log_index),
                "at": instant(row.recorded_at),
                "act": f"信用记录（{label}）",
                "what": f"{category_label(row.category)} {row.decision_number}",
            }
        )
    acts.sort(key=lambda a: a["position"], reverse=True)
    return acts[:RECENT]
