"""The credit grading model on populations computed by hand, its monotonicity, the rule sets, and the inspection
draw as a pure function."""

from __future__ import annotations

import random
from dataclasses import replace
from pathlib import Path

import pytest
from eth_utils import keccak
from hypothesis import given, settings
from hypothesis import strategies as st

from ledger.credit.inspections import draw, leaf, merkle_proof, population_root, sample, seed_commitment, seed_of
from ledger.credit.model import FirmFacts, assess, interval, normalise
from ledger.errors import RuleSetError
from ledger.rules import grading_rules, load

RULES = grading_rules("credit-grading-v1")


def firm(subject: str, staff, planners, senior, years, projects, honour=0, dishonesty=0, serious=False) -> FirmFacts:
    strength = {
        "technical_staff": staff,
        "registered_planners": planners,
        "senior_titles": senior,
        "years_qualified": years,
        "projects": projects,
    }
    return FirmFacts(subject, strength, honour, dishonesty, serious)


# Five firms whose indicators normalise to round numbers (worked out in the comments).
POPULATION = [
    firm("X", 40, 10, 8, 2, 10),  # every strength indicator at the minimum: S = 0
    firm("Y", 80, 20, 16, 10, 30, honour=20),  # every one at the maximum: S = 1
    firm("Z", 60, 15, 12, 6, 20, dishonesty=30),  # every one half-way: S = 0.5
    firm("W", 70, 18, 14, 8, 25),  # 0.75 each, planners 0.8: S = 0.765
    firm("V", 50, 12, 10, 4, 15, honour=5),  # 0.25 each, planners 0.2: S = 0.235
]


def test_a_hand_computed_population_grades_exactly() -> None:
    graded = assess(POPULATION, RULES)
    # credit points = 100 + honour − dishonesty: X 100, Y 120, Z 70, W 100, V 105 → min–max over [70, 120];
    # cut-offs A 60, B 45, C 30
    expected = {
        "X": (0.0, 0.0, 0.0, 0.6, 100 * (0.25 + 0.2 * 0.6), "C"),  # 37
        "Y": (1.0, 1.0, 0.0, 1.0, 100.0, "A"),
        "Z": (0.5, 0.0, 1.0, 0.0, 100 * 0.4 * 0.5, "D"),  # 20
        "W": (0.765, 0.0, 0.0, 0.6, 100 * (0.4 * 0.765 + 0.25 + 0.2 * 0.6), "A"),  # 67.6
        "V": (0.235, 0.25, 0.0, 0.7, 100 * (0.4 * 0.235 + 0.15 * 0.25 + 0.25 + 0.2 * 0.7), "B"),  # 52.15
    }
    for subject, (strength, honour, dishonesty, points, composite, grade) in expected.items():
        assessment = graded[subject]
        assert assessment.indices["strength"] == pytest.approx(strength, abs=1e-12), subject
        assert assessment.indices["honour"] == pytest.approx(honour, abs=1e-12), subject
        assert assessment.indices["dishonesty"] == pytest.approx(dishonesty, abs=1e-12), subject
        assert assessment.indices["credit_points"] == pytest.approx(points, abs=1e-12), subject
        assert assessment.composite == pytest.approx(composite, abs=1e-9), subject
        assert assessment.grade == grade, subject


def test_significant_factors_lie_outside_the_confidence_interval() -> None:
    graded = assess(POPULATION, RULES)
    # dishonesty points [0, 0, 30, 0, 0]: mean 6, σ 12, 95 % → 6 ± 1.959964 × 12 = [-17.52, 29.52]: 30 is outside
    bounds = interval([0, 0, 30, 0, 0], 0.95)
    assert (bounds.mean, bounds.sd) == (6, 12)
    assert bounds.high == pytest.approx(6 + 1.959963984540054 * 12)
    assert [f.indicator for f in graded["Z"].significant_factors] == ["dishonesty_points"]
    assert graded["Z"].significant_factors[0].significant == "high"
    # honour points [0, 20, 0, 0, 5]: mean 5, σ √60 → high end 20.18: Y's 20 is inside, not significant
    assert graded["Y"].significant_factors == []
    explanation = graded["Z"].explanation()
    assert explanation["significantFactors"] == ["dishonesty_points"]
    assert {f["indicator"] for f in explanation["factors"]} >= {"technical_staff", "credit_points"}


def test_a_serious_record_caps_the_grade() -> None:
    population = [*POPULATION[:1], replace(POPULATION[1], serious_dishonesty=True), *POPULATION[2:]]
    graded = assess(population, RULES)
    assert graded["Y"].composite == pytest.approx(100.0)
    assert (graded["Y"].grade, graded["Y"].veto) == ("D", "serious-dishonesty")


def test_min_max_of_a_constant_indicator_is_the_midpoint() -> None:
    assert normalise([3, 3, 3]) == [0.5, 0.5, 0.5]
    assert normalise([2, 4, 3]) == [0.0, 1.0, 0.5]
    assert assess([firm("solo", 1, 1, 1, 1, 1)], RULES)["solo"].indices["strength"] == pytest.approx(0.5)


indicator = st.integers(min_value=0, max_value=200)
facts = st.builds(
    lambda s, p, t, y, j, h, d: (s, p, t, y, j, h, d),
    indicator, indicator, indicator, indicator, indicator, indicator, indicator,
)  # fmt: skip


def population_of(rows: list[tuple[int, ...]]) -> list[FirmFacts]:
    return [firm(f"F{i}", *row) for i, row in enumerate(rows)]


ORDER = "ABCD"


@settings(max_examples=300, deadline=None)
@given(st.lists(facts, min_size=1, max_size=8), st.data())
def test_adding_an_honour_never_lowers_a_grade(rows, data) -> None:
    population = population_of(rows)
    i = data.draw(st.integers(0, len(population) - 1))
    points = data.draw(st.integers(1, 100))
    before = assess(population, RULES)[f"F{i}"]
    population[i] = replace(population[i], honour_points=population[i].honour_points + points)
    after = assess(population, RULES)[f"F{i}"]
    assert after.composite >= before.composite - 1e-9
    assert ORDER.index(after.grade) <= ORDER.index(before.grade)


@settings(max_examples=300, deadline=None)
@given(st.lists(facts, min_size=1, max_size=8), st.data())
def test_adding_a_dishonesty_record_never_raises_a_grade(rows, data) -> None:
    population = population_of(rows)
    i = data.draw(st.integers(0, len(population) - 1))
    points = data.draw(st.integers(1, 100))
    serious = data.draw(st.booleans())
    before = assess(population, RULES)[f"F{i}"]
    firm_i = population[i]
    population[i] = replace(
        firm_i,
        dishonesty_points=firm_i.dishonesty_points + points,
        serious_dishonesty=firm_i.serious_dishonesty or serious,
    )
    after = assess(population, RULES)[f"F{i}"]
    assert after.composite <= before.composite + 1e-9
    assert ORDER.index(after.grade) >= ORDER.index(before.grade)


# ---- rule sets ----


def test_rule_sets_are_versioned_and_checked(tmp_path: Path) -> None:
    rules = load("credit-grading-v1")
    assert rules.version == "credit-grading-v1" and len(rules.sha256) == 64
    text = (Path(__file__).parents[2] / "ledger" / "rules" / "credit-grading-v1.toml").read_text()
    broken = tmp_path / "credit-broken.toml"
    broken.write_text(text.replace("technical_staff = 0.25", "technical_staff = 0.35"))
    with pytest.raises(RuleSetError, match="sum to 1"):
        grading_rules(str(broken))
    inverted = tmp_path / "credit-inverted.toml"
    inverted.write_text(text.replace("A = 60.0", "A = 40.0"))
    with pytest.raises(RuleSetError, match="cut-offs"):
        grading_rules(str(inverted))
    with pytest.raises(RuleSetError, match="no rule set"):
        load("credit-grading-v0")


# ---- the inspection draw ----


def test_the_draw_is_a_pure_function_of_seed_round_and_population() -> None:
    seed, round_id = keccak(b"seed"), keccak(text="抽查〔2026〕1号")
    population = [keccak(text=f"cert-{i}") for i in range(50)]
    roster = [f"I-{i:02d}" for i in range(7)]
    first = draw(seed, round_id, population, 5, roster, 2)
    shuffled = population[:]
    random.Random(1).shuffle(shuffled)
    assert draw(seed, round_id, shuffled, 5, roster, 2) == first, "the order of the population does not matter"
    assert len(first) == 5 and len({s.certificate_id for s in first}) == 5
    members = sorted(population)
    assert [s.certificate_id for s in first] == [members[p] for p in sample(seed, 50, 5)]
    for selection in first:
        assert len(set(selection.inspectors)) == 2 and set(selection.inspectors) <= set(roster)
    assert draw(keccak(b"another seed"), round_id, population, 5, roster, 2) != first
    assert len(draw(seed, round_id, population[:3], 5, roster, 2)) == 3, "a small population is taken whole"


def _verify(proof: tuple[bytes, ...], root: bytes, node: bytes) -> bool:
    """OpenZeppelin's MerkleProof.verify: commutative keccak256 up the proof."""
    for sibling in proof:
        node = keccak(min(node, sibling) + max(node, sibling))
    return node == root


@settings(max_examples=60, deadline=None)
@given(st.integers(min_value=1, max_value=40), st.data())
def test_every_member_proves_its_own_position_and_no_other(size: int, data: st.DataObject) -> None:
    population = [keccak(text=f"c-{i}") for i in range(size)]
    members, root = sorted(population), population_root(population)
    position = data.draw(st.integers(min_value=0, max_value=size - 1))
    proof = merkle_proof(population, position)
    assert _verify(proof, root, leaf(position, members[position]))
    assert not _verify(proof, root, leaf(position + 1, members[position])), "the position is part of the leaf"


@settings(max_examples=60, deadline=None)
@given(st.binary(min_size=32, max_size=32), st.integers(min_value=0, max_value=200), st.integers(0, 80))
def test_the_sample_is_distinct_positions_of_the_population(seed: bytes, size: int, k: int) -> None:
    drawn = sample(seed, size, k)
    assert len(drawn) == min(size, k) and len(set(drawn)) == len(drawn) and all(0 <= p < size for p in drawn)
    assert sorted(sample(seed, size, size)) == list(range(size)), "a whole shuffle is a permutation"


def test_the_seed_needs_the_secret_and_the_block_hash() -> None:
    round_id, secret, block = keccak(text="R"), keccak(text="secret"), keccak(text="block")
    assert seed_commitment(secret) != secret
    assert seed_of(round_id, secret, block) != seed_of(round_id, keccak(text="other"), block)
    assert seed_of(round_id, secret, block) != seed_of(round_id, secret, keccak(text="other block"))
