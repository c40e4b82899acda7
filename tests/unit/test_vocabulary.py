"""The words every answer and page shares, held to what they describe: the reason codes to the contracts'
constants and the signed acts' types, the credit labels to the model's factors and the lists' reasons."""

from __future__ import annotations

import re

import pytest
from click.testing import CliRunner

from ledger.cli import main as ledger_cli
from ledger.credit.model import FirmFacts, assess
from ledger.credit.vocabulary import FACTOR_LABELS, LIST_REASON_LABELS, ListReason
from ledger.rules import STRENGTH_INDICATORS, grading_rules
from ledger.settings import PROJECT_ROOT
from wallet.reasons import (
    BY_ACT,
    REVOCATION,
    SIGNED_ACT_REASONS,
    RevocationReason,
    UnknownReason,
    as_json,
    checked_reason,
    reason_label,
)
from wallet.typed_acts import ACT_TYPES

# Reason codes are uint16 on chain: every such constant a contract declares is a reason code, but these.
UINT16_CONSTANT = re.compile(r"uint16 (?:public|private) constant _?(\w+) = (\d+);")
NOT_REASONS = {"MAX_POINTS"}  # contracts/CreditRegistry.sol: a credit record's most points


def test_the_reason_vocabulary_equals_the_contracts_constants() -> None:
    declared = [
        (path.name, name, int(value))
        for path in sorted((PROJECT_ROOT / "contracts").glob("*.sol"))
        for name, value in UINT16_CONSTANT.findall(path.read_text())
        if name not in NOT_REASONS
    ]
    assert {(f, n) for f, n, _ in declared} == {
        ("CertificateRegistry.sol", "CANCELLATION"),
        ("LicensingRegistry.sol", "CANCELLATION"),
    }
    assert all(value == RevocationReason.CANCELLED for _, _, value in declared)
    assert set(SIGNED_ACT_REASONS["Revoke"]) == {RevocationReason.CANCELLED}, "alone, the contract takes 注销 only"
    assert REVOCATION[RevocationReason.CANCELLED].legal_ground == "《中华人民共和国行政许可法》第七十条"


def test_every_signed_act_with_a_reason_code_has_a_vocabulary() -> None:
    with_code = {act for act, types in ACT_TYPES.items() if {"name": "reason", "type": "uint16"} in types[act]}
    assert with_code == set(SIGNED_ACT_REASONS)
    assert all(reasons for reasons in (*SIGNED_ACT_REASONS.values(), *BY_ACT.values()))


def test_reason_labels_name_every_code_and_only_acts_with_codes() -> None:
    assert reason_label("REVOKE", 2) == "以欺骗、贿赂等不正当手段取得（撤销）"
    assert reason_label("SUSPEND", 7) == "其他原因（代码 7）", "the chain takes any code: an unknown one says so"
    assert reason_label("ISSUE", None) is None and reason_label("REVOKE", None) is None
    assert as_json(SIGNED_ACT_REASONS["Revoke"])[0]["code"] == 3


def test_only_the_codes_of_an_acts_vocabulary_are_taken() -> None:
    assert checked_reason("ProposeRevocation", RevocationReason.FRAUD) == 2
    with pytest.raises(UnknownReason) as refused:
        checked_reason("Suspend", 3)  # 注销 is no ground for a suspension
    assert refused.value.codes == [1, 2, 4, 5]


@pytest.mark.parametrize(
    ("command", "code"), [("suspend", "3"), ("reinstate", "5"), ("revoke", "2"), ("propose-revocation", "0")]
)
def test_the_cli_refuses_a_reason_code_outside_the_acts_vocabulary(command: str, code: str) -> None:
    """Refused while the options are read, before a key is unlocked or the chain asked."""
    evidence = ["--evidence", __file__] if command == "propose-revocation" else []
    result = CliRunner().invoke(ledger_cli, [command, "自资规乙1500001", "--reason", code, *evidence])
    assert result.exit_code == 2 and f"{code} is not a reason code of" in result.output, result.output


def test_every_credit_factor_and_list_reason_has_a_chinese_label() -> None:
    rules = grading_rules("credit-grading-v1")
    facts = [FirmFacts(s, dict.fromkeys(rules.strength, float(i))) for i, s in enumerate("XY")]
    factors = {f.indicator for f in assess(facts, rules)["X"].factors}
    assert set(FACTOR_LABELS) == factors | set(STRENGTH_INDICATORS)
    assert set(LIST_REASON_LABELS) == set(ListReason)
    labels = (*FACTOR_LABELS.values(), *LIST_REASON_LABELS.values())
    assert all(re.search(r"[\u4e00-\u9fff]", label) for label in labels)
