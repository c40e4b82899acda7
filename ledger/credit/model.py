"""The credit grading model (docs/domain.md#credit-model-source): pure functions of a population of firms and a
rule set.

Four dimensions: comprehensive strength (several indicators), honours, dishonesty and credit points. Every
indicator is normalised over the population by range transformation (min–max: (x − min) / (max − min), and 0.5
when all firms have the same value, since it then tells no firm from another). The strength index is the
weighted sum of the normalised strength indicators; the honour, dishonesty and credit-points indices are the
normalised honour points, dishonesty points and credit points (base + honour − dishonesty). The composite credit
index is 100 × (w_s·strength + w_h·honour + w_d·(1 − dishonesty) + w_p·credit points), and the grade is the
first cut-off it reaches (A, B, C; else D). A serious dishonesty record published now caps the grade (veto).

A factor is *significant* for a firm when the firm's raw value lies outside the population's interval
mean ± z·σ (σ the population standard deviation, z the two-sided normal quantile of the confidence level).

Raising a firm's honour points never lowers its own composite index, and raising its dishonesty points never
raises it: min–max keeps the order of a firm's own value against the rest, and the cut-offs are absolute.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from math import sqrt
from statistics import NormalDist
from typing import Any

from ledger.rules import GradingRules


@dataclass(frozen=True)
class FirmFacts:
    """What the model reads about one firm (raw, before normalisation)."""

    subject: str
    strength: Mapping[str, float]  # indicator → raw value, for every indicator of the rules' strength
    honour_points: int = 0
    dishonesty_points: int = 0
    serious_dishonesty: bool = False
    records: tuple[str, ...] = ()  # ids of the credit records published now, behind the points


@dataclass(frozen=True)
class Interval:
    low: float
    high: float
    mean: float
    sd: float


@dataclass(frozen=True)
class Factor:
    indicator: str
    value: float
    normalised: float
    weight: float | None  # the indicator's weight in its index (strength indicators), None for the others
    significant: str | None  # "high", "low" or None


@dataclass(frozen=True)
class Assessment:
    """A firm's grade and everything that explains it."""

    subject: str
    grade: str
    composite: float
    indices: dict[str, float]
    factors: tuple[Factor, ...]
    veto: str | None
    records: tuple[str, ...]
    intervals: dict[str, Interval] = field(repr=False, default_factory=dict)

    @property
    def significant_factors(self) -> list[Factor]:
        return [f for f in self.factors if f.significant]

    def explanation(self) -> dict[str, Any]:
        """The grade's explanation as JSON: indices, each factor with its normalised value, weight and
        population interval, the significant factors, the veto if any, and the records behind the points."""
        return {
            "grade": self.grade,
            "composite": round(self.composite, 4),
            "indices": {k: round(v, 6) for k, v in self.indices.items()},
            "factors": [
                {
                    "indicator": f.indicator,
                    "value": f.value,
                    "normalised": round(f.normalised, 6),
                    "weight": f.weight,
                    "interval": {
                        "low": round(self.intervals[f.indicator].low, 6),
                        "high": round(self.intervals[f.indicator].high, 6),
                    },
                    "significant": f.significant,
                }
                for f in self.factors
            ],
            "significantFactors": [f.indicator for f in self.significant_factors],
            "veto": self.veto,
            "records": list(self.records),
        }


def normalise(values: Sequence[float]) -> list[float]:
    """Range transformation (级差变换) over the population: min ↦ 0, max ↦ 1; all equal ↦ 0.5."""
    low, high = min(values), max(values)
    if high == low:
        return [0.5] * len(values)
    return [(v - low) / (high - low) for v in values]


def interval(values: Sequence[float], confidence: float) -> Interval:
    """mean ± z·σ of the population (σ the population standard deviation)."""
    n = len(values)
    mean = sum(values) / n
    sd = sqrt(sum((v - mean) ** 2 for v in values) / n)
    z = NormalDist().inv_cdf((1 + confidence) / 2)
    return Interval(mean - z * sd, mean + z * sd, mean, sd)


def grade_of(composite: float, rules: GradingRules) -> str:
    return next((letter for letter, cutoff in rules.cutoffs if composite >= cutoff), "D")


def assess(population: Sequence[FirmFacts], rules: GradingRules) -> dict[str, Assessment]:
    """Every firm's assessment, each normalised against the whole population."""
    if not population:
        return {}
    raw: dict[str, list[float]] = {name: [float(f.strength[name]) for f in population] for name in rules.strength}
    raw["honour_points"] = [float(f.honour_points) for f in population]
    raw["dishonesty_points"] = [float(f.dishonesty_points) for f in population]
    raw["credit_points"] = [float(rules.credit_points_base + f.honour_points - f.dishonesty_points) for f in population]
    normalised = {name: normalise(values) for name, values in raw.items()}
    intervals = {name: interval(values, rules.confidence) for name, values in raw.items()}
    weights = rules.composite
    assessments = {}
    for i, firm in enumerate(population):
        strength = sum(w * normalised[name][i] for name, w in rules.strength.items())
        indices = {
            "strength": strength,
            "honour": normalised["honour_points"][i],
            "dishonesty": normalised["dishonesty_points"][i],
            "credit_points": normalised["credit_points"][i],
        }
        composite = 100 * (
            weights["strength"] * strength
            + weights["honour"] * indices["honour"]
            + weights["dishonesty"] * (1 - indices["dishonesty"])
            + weights["credit_points"] * indices["credit_points"]
        )
        factors = tuple(
            Factor(
                name,
                raw[name][i],
                normalised[name][i],
                rules.strength.get(name),
                _significance(raw[name][i], intervals[name]),
            )
            for name in raw
        )
        veto = "serious-dishonesty" if firm.serious_dishonesty else None
        grade = grade_of(composite, rules)
        if veto and grade < rules.veto_grade:  # letters: "A" < "D", so this caps the grade
            grade = rules.veto_grade
        assessments[firm.subject] = Assessment(
            firm.subject, grade, composite, indices, factors, veto, firm.records, intervals
        )
    return assessments


def _significance(value: float, bounds: Interval) -> str | None:
    if value > bounds.high:
        return "high"
    if value < bounds.low:
        return "low"
    return None
