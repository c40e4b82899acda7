"""Firms' annual-report figures (企业年报: technical staff, senior titles, projects), loaded from a CSV export.

They are declared, not certified, so they live beside the chain's projection (a reindex keeps them); the grading
model's strength dimension reads them. Loading a file replaces the figures of the firms it names."""

from __future__ import annotations

import csv
from pathlib import Path

from sqlalchemy import Engine, delete, insert
from sqlalchemy.orm import Session

from ledger.certificates.identifiers import validate_credit_code
from ledger.errors import ProfileError
from ledger.store.engine import chunked
from ledger.store.models import FirmProfile

PROFILE_HEADERS = ("统一社会信用代码", "年报年度", "技术人员", "高级职称", "近三年项目数")
_FIELDS = ("credit_code", "report_year", "technical_staff", "senior_titles", "projects")


def read_profiles(path: Path) -> list[dict[str, object]]:
    """The rows of a profiles CSV, validated (credit code checked, counts non-negative integers)."""
    rows = []
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        missing = set(PROFILE_HEADERS) - set(reader.fieldnames or ())
        if missing:
            raise ProfileError(f"{path}: missing columns {', '.join(sorted(missing))}")
        for line, raw in enumerate(reader, start=2):
            row: dict[str, object] = {"credit_code": validate_credit_code(raw[PROFILE_HEADERS[0]].strip()).value}
            for header, name in zip(PROFILE_HEADERS[1:], _FIELDS[1:], strict=True):
                try:
                    value = int(raw[header])
                except (TypeError, ValueError):
                    value = -1
                if value < 0:
                    raise ProfileError(f"{path}:{line}: {header} must be a non-negative integer, not {raw[header]!r}")
                row[name] = value
            rows.append(row)
    return rows


def load_profiles(engine: Engine, path: Path) -> int:
    """Replace the profiles of the firms in ``path``; returns how many were loaded."""
    rows = read_profiles(path)
    with Session(engine) as session, session.begin():
        for chunk in chunked([r["credit_code"] for r in rows], 500):
            session.execute(delete(FirmProfile).where(FirmProfile.credit_code.in_(chunk)))
        if rows:
            session.execute(insert(FirmProfile), rows)
    return len(rows)
