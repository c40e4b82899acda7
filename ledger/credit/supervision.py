"""Credit supervision at one instant: every qualified firm graded, and the three lists, from one read of the index.

``picture`` is what the API and the dashboard serve; it reads the register with a few set-based queries and
computes the rest in memory, so the whole national register is graded in well under a second."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection

from ledger.credit import lists
from ledger.credit.lists import ListEntry
from ledger.credit.model import Assessment, assess
from ledger.credit.register import (
    QualifiedFirm,
    dishonest_since,
    firm_facts,
    last_dishonesty_end,
    published_records,
    qualified_firms,
)
from ledger.rules import GradingRules, StaffingRules, grading_rules, staffing_rules

CHANGE_WINDOW = 30 * 86400  # what the dashboard calls recent


@dataclass(frozen=True)
class CreditPicture:
    at: int
    firms: dict[str, QualifiedFirm]
    assessments: dict[str, Assessment]
    records: list[dict[str, Any]]  # published at ``at``, or ended within the change window
    entries: list[ListEntry]  # current and recently ended list entries
    grading: GradingRules
    staffing: StaffingRules

    def listed(self, name: str) -> list[ListEntry]:
        """The entries of one list that hold now, newest first."""
        return sorted(
            (e for e in lists.current(self.entries, self.at) if e.list == name), key=lambda e: e.since, reverse=True
        )

    def entries_of(self, subject: str) -> list[ListEntry]:
        return [e for e in lists.current(self.entries, self.at) if e.subject == subject]

    def records_of(self, subject: str) -> list[dict[str, Any]]:
        return [r for r in self.records if r["subject"] == subject]

    def rules(self) -> dict[str, dict[str, str]]:
        return {"grading": self.grading.rules.citation(), "staffing": self.staffing.rules.citation()}


def picture(
    connection: Connection,
    now: int,
    *,
    grading: GradingRules | None = None,
    staffing: StaffingRules | None = None,
    window: int = CHANGE_WINDOW,
) -> CreditPicture:
    grading = grading or grading_rules()
    staffing = staffing or staffing_rules()
    firms = qualified_firms(connection, now)
    records = published_records(connection, now, ended_since=now - window)
    assessments = assess(firm_facts(firms, records, now), grading)
    dishonest = dishonest_since(connection, now - grading.clean_seconds)
    entries = [
        *lists.staffing_entries(connection, firms, staffing, now),
        *lists.expiring_entries(connection, staffing, now, window),
        *lists.sanctioned_planner_entries(connection, records),
        *lists.firm_dishonesty_entries(records),
        *lists.blacklist_entries(connection, records, grading, now, window),
    ]
    # The honesty list leaves out whoever stands on the yellow or black list now.
    warned = dishonest | {e.subject for e in lists.current(entries, now)}
    entries += lists.honesty_entries(firms, assessments, warned, last_dishonesty_end(connection, now), grading)
    return CreditPicture(now, firms, assessments, records, entries, grading, staffing)
