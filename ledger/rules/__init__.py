"""Versioned rule sets: the staffing rules of the qualification grades and the credit grading model's calibration.

Each rule set is a TOML file named by its version and never edited once published; a new rule is a new file.
Answers name the version and the file's sha256, so anyone can tell which rules produced them."""

from __future__ import annotations

import hashlib
import os
import tomllib
from dataclasses import dataclass
from functools import cache
from itertools import pairwise
from pathlib import Path
from typing import Any

from ledger.errors import RuleSetError

RULES_DIR = Path(__file__).resolve().parent
DEFAULT_STAFFING = "staffing-2024"
DEFAULT_GRADING = "credit-grading-v1"
GRADE_LETTERS = ("A", "B", "C", "D")


@dataclass(frozen=True)
class RuleSet:
    version: str
    sha256: str
    data: dict[str, Any]

    def citation(self) -> dict[str, str]:
        return {"version": self.version, "sha256": self.sha256}


@dataclass(frozen=True)
class StaffingRules:
    rules: RuleSet
    min_planners: dict[int, int]  # qualification grade (ledger.certificates.vocabulary.Grade value) → minimum
    min_staff: dict[int, int]
    renewal_lead_seconds: int


@dataclass(frozen=True)
class GradingRules:
    rules: RuleSet
    strength: dict[str, float]
    composite: dict[str, float]
    credit_points_base: int
    cutoffs: tuple[tuple[str, float], ...]  # (letter, lowest composite index of that grade), highest first
    confidence: float
    veto_grade: str
    honesty_grade: str
    clean_seconds: int
    fraud_ban_seconds: int


def load(name_or_path: str) -> RuleSet:
    """A rule set by version (a file in ledger/rules) or by path."""
    path = Path(name_or_path)
    if not path.suffix:
        path = RULES_DIR / f"{name_or_path}.toml"
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise RuleSetError(f"no rule set {name_or_path!r} ({path})") from None
    data = tomllib.loads(raw.decode())
    if "version" not in data:
        raise RuleSetError(f"{path} names no version")
    return RuleSet(data["version"], hashlib.sha256(raw).hexdigest(), data)


@cache
def staffing_rules(name: str | None = None) -> StaffingRules:
    rules = load(name or os.environ.get("STAFFING_RULES", DEFAULT_STAFFING))
    grades = rules.data["grades"]
    by_grade = {1: grades["A"], 2: grades["B"]}
    return StaffingRules(
        rules,
        {g: int(v["min_registered_planners"]) for g, v in by_grade.items()},
        {g: int(v["min_technical_staff"]) for g, v in by_grade.items()},
        int(rules.data["renewal"]["lead_days"]) * 86400,
    )


STRENGTH_INDICATORS = ("technical_staff", "registered_planners", "senior_titles", "years_qualified", "projects")
DIMENSIONS = ("strength", "honour", "dishonesty", "credit_points")


@cache
def grading_rules(name: str | None = None) -> GradingRules:
    rules = load(name or os.environ.get("CREDIT_RULES", DEFAULT_GRADING))
    data = rules.data
    strength = {k: float(v) for k, v in data["strength"].items()}
    composite = {k: float(v) for k, v in data["composite"].items()}
    if set(strength) - set(STRENGTH_INDICATORS):
        raise RuleSetError(
            f"{rules.version}: unknown strength indicators {sorted(set(strength) - set(STRENGTH_INDICATORS))}"
        )
    if set(composite) != set(DIMENSIONS):
        raise RuleSetError(f"{rules.version}: the composite weighs exactly {', '.join(DIMENSIONS)}")
    for what, weights in (("strength", strength), ("composite", composite)):
        if abs(sum(weights.values()) - 1) > 1e-9 or min(weights.values()) < 0:
            raise RuleSetError(f"{rules.version}: the {what} weights must be non-negative and sum to 1")
    cutoffs = tuple((letter, float(data["grades"][letter])) for letter in GRADE_LETTERS[:-1])
    if any(a[1] <= b[1] for a, b in pairwise(cutoffs)):
        raise RuleSetError(f"{rules.version}: the cut-offs must fall from A to C")
    confidence = float(data["significance"]["confidence"])
    if not 0 < confidence < 1:
        raise RuleSetError(f"{rules.version}: the confidence level lies strictly between 0 and 1")
    return GradingRules(
        rules,
        strength,
        composite,
        int(data["credit_points"]["base"]),
        cutoffs,
        confidence,
        data["veto"]["serious_dishonesty_grade"],
        data["honesty_list"]["grade"],
        int(data["honesty_list"]["clean_years"]) * 365 * 86400,
        int(data["blacklist"]["fraud_revocation_years"]) * 365 * 86400,
    )
