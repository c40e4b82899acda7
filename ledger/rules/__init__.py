"""Versioned rule sets: the staffing rules of the qualification grades, the credit grading model's calibration and the
licensing procedure's time limits.

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
DEFAULT_LICENSING = "licensing-2012"
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


@dataclass(frozen=True)
class LicensingRules:
    """The licensing procedure's time limits: working days unless the name says calendar days."""

    rules: RuleSet
    completion_notice_working_days: int  # 补正 notice after filing (art. 32)
    acceptance_working_days: int  # acceptance decision after filing (art. 32)
    decision_working_days: int  # decision after acceptance (art. 42)
    decision_extension_working_days: int  # once, with the head's approval (art. 42)
    certificate_working_days: int  # certificate after the grant (art. 44)
    public_notice_calendar_days: int  # minimum public notice of a grade A review opinion (2012 rule)
    province_first_review_working_days: int  # grade A (2012 rule)
    ministry_review_working_days: int  # grade A (2012 rule)
    expert_review_counted: bool  # False: expert review time is left out of the limits (art. 45)


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


def _entry(rules: RuleSet, table: str, key: str) -> object:
    section = rules.data.get(table)
    return section.get(key) if isinstance(section, dict) else None


def _days(rules: RuleSet, table: str, key: str, minimum: int = 1) -> int:
    value = _entry(rules, table, key)
    # bool is an int to Python, and a limit of `true` days is a mistake, not 1
    if not isinstance(value, int) or isinstance(value, bool) or value < minimum:
        raise RuleSetError(f"{rules.version}: [{table}] {key} must be a whole number of days, at least {minimum}")
    return value


@cache
def licensing_rules(name: str | None = None) -> LicensingRules:
    """The time limits, checked here so that a malformed file fails on loading, not in the middle of a count."""
    name = name or os.environ.get("LICENSING_RULES", DEFAULT_LICENSING)
    try:
        rules = load(name)
    except tomllib.TOMLDecodeError as e:
        raise RuleSetError(f"{name}: not TOML ({e})") from None
    counted = _entry(rules, "expert_review", "counted")
    if not isinstance(counted, bool):
        raise RuleSetError(f"{rules.version}: [expert_review] counted must be true or false")
    return LicensingRules(
        rules,
        completion_notice_working_days=_days(rules, "acceptance", "completion_notice_working_days"),
        acceptance_working_days=_days(rules, "acceptance", "decision_working_days"),
        decision_working_days=_days(rules, "decision", "working_days"),
        decision_extension_working_days=_days(rules, "decision", "extension_working_days"),
        certificate_working_days=_days(rules, "certificate", "working_days"),
        # 0 only in a demonstration rule set (licensing-demo): no minimum notice on chain
        public_notice_calendar_days=_days(rules, "public_notice", "calendar_days", minimum=0),
        province_first_review_working_days=_days(rules, "grade_a", "province_first_review_working_days"),
        ministry_review_working_days=_days(rules, "grade_a", "ministry_review_working_days"),
        expert_review_counted=counted,
    )
