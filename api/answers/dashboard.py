"""What the regulators' dashboard (管理驾驶舱) shows: qualified firms by grade and province, certificates expiring
soon, changes to the yellow and black lists, recent acts on chain, the inspection rounds and the licensing
procedure's queue. Public data only,
and list entries and rounds read exactly as the API gives them."""

from __future__ import annotations

from collections import Counter
from typing import Any, TypedDict

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from ledger.certificates import queries
from ledger.certificates.identifiers import PROVINCES
from ledger.certificates.vocabulary import ACT_LABELS, Grade
from ledger.credit import queries as credit_queries
from ledger.credit.lists import changes
from ledger.credit.supervision import CHANGE_WINDOW, CreditPicture
from ledger.credit.vocabulary import CreditKind, ListReason, category_label

from . import applications
from .credit import entry_answers, rounds
from .fields import instant

RECENT = 20  # rows per panel
ROUNDS = 5


def board(engine: Engine, view: CreditPicture) -> dict[str, Any]:
    """The dashboard's panels for the credit picture ``view``, as the template's variables."""
    recent_changes = [
        (moment, change, entry)
        for moment, change, entry in changes(view.entries, view.at, CHANGE_WINDOW)
        if entry.list in ("yellow", "black")
    ][:RECENT]
    expiring = sorted(
        (e for e in view.listed("yellow") if e.reason == ListReason.EXPIRING), key=lambda e: e.detail["validUntil"]
    )
    with Session(engine) as session:
        planners = queries.planner_count(session, view.at)
        acts = recent_acts(session)
        change_rows = entry_answers(session, [entry for _, _, entry in recent_changes])
        expiring_rows = entry_answers(session, expiring[:RECENT])
        status = queries.index_status(session)
        licensing = applications.panel(session, view.at)
    return {
        "at": instant(view.at),
        "tiles": tiles(view, planners),
        "chart": grades_by_province(view),
        "expiring": expiring_rows,
        "expiring_total": len(expiring),
        "changes": [(instant(m), c, row) for (m, c, _), row in zip(recent_changes, change_rows, strict=True)],
        "acts": acts,
        "rounds": rounds(engine, ROUNDS),
        "licensing": licensing,
        "index_block": status.block_number if status else None,
        "rules": view.rules(),
    }


def tiles(view: CreditPicture, planners: int) -> list[tuple[str, int]]:
    grades = Counter(f.grade for f in view.firms.values())
    credit = Counter(a.grade for a in view.assessments.values())
    return [
        ("持证单位 Qualified firms", len(view.firms)),
        ("甲级 Grade A", grades[Grade.A]),
        ("乙级 Grade B", grades[Grade.B]),
        ("注册规划师 Registered planners", planners),
        ("信用A级 Credit grade A", credit["A"]),
        ("诚信名单 Honesty list", len(view.listed("honesty"))),
        ("黄名单 Yellow list", len(view.listed("yellow"))),
        ("黑名单 Blacklist", len(view.listed("black"))),
    ]


class ProvinceRow(TypedDict):
    """One bar of the chart: a province's qualified firms by grade, and each grade's share of the longest bar."""

    province: int
    name: str
    a: int
    b: int
    total: int
    a_width: float
    b_width: float


def grades_by_province(view: CreditPicture) -> list[ProvinceRow]:
    """Qualified firms per province and grade, largest first: the bar chart's rows."""
    counts: dict[int, Counter[int]] = {}
    for firm in view.firms.values():
        counts.setdefault(firm.province, Counter())[firm.grade] += 1
    bars = sorted(
        ((code, by_grade[Grade.A], by_grade[Grade.B]) for code, by_grade in counts.items()),
        key=lambda bar: (-(bar[1] + bar[2]), bar[0]),
    )
    top = max((a + b for _, a, b in bars), default=1)
    return [
        {
            "province": code,
            "name": PROVINCES.get(code, str(code)),
            "a": a,
            "b": b,
            "total": a + b,
            "a_width": 100 * a / top,
            "b_width": 100 * b / top,
        }
        for code, a, b in bars
    ]


def recent_acts(session: Session) -> list[dict[str, Any]]:
    """The newest certificate acts and credit records together, newest first."""
    acts = [
        {
            "position": (row.block_number, row.log_index),
            "at": instant(row.block_time),
            "act": ACT_LABELS.get(row.act, row.act),
            "what": f"{row.number} {row.name}",
        }
        for row in queries.recent_events(session, RECENT)
    ]
    for row in credit_queries.recent_records(session, RECENT):
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
