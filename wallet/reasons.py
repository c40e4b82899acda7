"""The reason codes of the certificate registry's status acts (suspension, reinstatement, revocation), defined once
for all of Python: the API's act types and history, the page, the console and credit supervision read them here.
They live in the wallet, beside the acts that carry them (``typed_acts``), because a signer checks them too
(``wallet sign-act``), and the wallet depends on no other package of ours.

The chain stores a reason as a number and interprets one only: cancellation (注销, ``CANCELLATION`` in
contracts/CertificateRegistry.sol), the one revocation a regulator records alone (a test holds this vocabulary to
the contracts' constants). A suspension's code names the ground a revocation would have (1, 2, 4, 5), so that a
suspension pending an investigation and the revocation that ends it carry the same number. The legal ground is
given where docs/domain.md names one; elsewhere it is left empty rather than guessed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import IntEnum
from typing import Any


class RevocationReason(IntEnum):
    """Reason codes of revocations (CertificateRevoked.reason); credit supervision reads 2 and 4."""

    NO_LONGER_QUALIFIED = 1  # 撤回: no longer meets its grade (a planner: the registration's conditions)
    FRAUD = 2  # 撤销: obtained by fraud, bribery or other improper means
    CANCELLED = 3  # 注销: lapsed, holder dissolved, at the holder's request
    RENTING_LENDING = 4  # 出租、出借 (a planner's registration: 挂证)
    PENALTY = 5  # 吊销


class SuspensionReason(IntEnum):
    """Reason codes of suspensions (CertificateSuspended.reason): the revocation's ground, before the decision."""

    # 责令整改: below its grade (a planner: the registration's conditions) after a post-approval check
    RECTIFICATION = 1
    FRAUD_SUSPECTED = 2
    RENTING_LENDING_SUSPECTED = 4
    PENALTY = 5  # 暂扣 as an administrative penalty


class ReinstatementReason(IntEnum):
    """Reason codes of reinstatements (CertificateReinstated.reason); informative, so 0 (not stated) is allowed."""

    NOT_STATED = 0
    RECTIFIED = 1
    CLEARED = 2
    PERIOD_SERVED = 3
    SET_ASIDE = 4


@dataclass(frozen=True)
class Reason:
    """What a reason code means: in Chinese (shown), in English, and its legal ground where one applies."""

    label: str
    label_en: str
    legal_ground: str | None = None


REVOCATION: dict[int, Reason] = {
    RevocationReason.NO_LONGER_QUALIFIED: Reason(
        "取得后不再符合资质标准或注册条件（撤回）",
        "withdrawn: no longer meets its grade or registration conditions after post-approval checks",
    ),
    RevocationReason.FRAUD: Reason(
        "以欺骗、贿赂等不正当手段取得（撤销）",
        "revoked: obtained by fraud, bribery or other improper means",
        "《中华人民共和国行政许可法》第六十九条第二款",
    ),
    RevocationReason.CANCELLED: Reason(
        "注销（有效期届满未延续、主体依法终止或申请注销）",
        "cancelled: lapsed without renewal, holder dissolved, or at the holder's request",
        "《中华人民共和国行政许可法》第七十条",
    ),
    RevocationReason.RENTING_LENDING: Reason(
        "出租、出借资质证书或注册证书（挂证）", "revoked for renting or lending the certificate or registration"
    ),
    RevocationReason.PENALTY: Reason(
        "吊销（行政处罚）", "revoked as an administrative penalty", "《中华人民共和国行政处罚法》第九条"
    ),
}
SUSPENSION: dict[int, Reason] = {
    SuspensionReason.RECTIFICATION: Reason(
        "经批后核查不再符合资质标准或注册条件，责令限期整改",
        "below its grade or registration conditions after post-approval checks: rectification ordered",
    ),
    SuspensionReason.FRAUD_SUSPECTED: Reason(
        "涉嫌以欺骗、贿赂等不正当手段取得，调查期间",
        "suspected fraud or bribery in the application, under investigation",
    ),
    SuspensionReason.RENTING_LENDING_SUSPECTED: Reason(
        "涉嫌出租、出借资质证书或注册证书（挂证），调查期间",
        "suspected renting or lending of the certificate or registration, under investigation",
    ),
    SuspensionReason.PENALTY: Reason(
        "暂扣（行政处罚）", "suspended as an administrative penalty", "《中华人民共和国行政处罚法》第九条"
    ),
}
REINSTATEMENT: dict[int, Reason] = {
    ReinstatementReason.NOT_STATED: Reason("未说明", "not stated"),
    ReinstatementReason.RECTIFIED: Reason(
        "整改完成，经核查重新符合资质标准或注册条件", "rectified: meets its grade or registration conditions again"
    ),
    ReinstatementReason.CLEARED: Reason("调查终结，未发现违法违规", "investigation closed without a finding"),
    ReinstatementReason.PERIOD_SERVED: Reason("暂扣期限届满", "the suspension's period has ended"),
    ReinstatementReason.SET_ASIDE: Reason("暂扣决定被撤销或纠正", "the suspension was set aside"),
}

BY_ACT: dict[str, dict[int, Reason]] = {"SUSPEND": SUSPENSION, "REINSTATE": REINSTATEMENT, "REVOKE": REVOCATION}
"""The vocabulary of each history act that carries a reason code (the read model's act names)."""

SIGNED_ACT_REASONS: dict[str, dict[int, Reason]] = {
    "Suspend": SUSPENSION,
    "Reinstate": REINSTATEMENT,
    "Revoke": {RevocationReason.CANCELLED: REVOCATION[RevocationReason.CANCELLED]},  # alone: 注销 only
    "ProposeRevocation": REVOCATION,  # four eyes: any code, confirmed by a second regulator
}
"""The codes each signed act's ``reason`` field takes (wallet/typed_acts.py's act names)."""


class UnknownReason(ValueError):
    """A reason code outside the vocabulary of the signed act that carries it."""

    def __init__(self, act: str, code: int) -> None:
        self.act, self.code, self.codes = act, code, sorted(int(c) for c in SIGNED_ACT_REASONS[act])
        super().__init__(f"{act} takes reason {', '.join(map(str, self.codes))}, not {code}")


def checked_reason(act: str, code: int) -> int:
    """``code`` when the signed act ``act`` takes it, else UnknownReason. The chain would record any number and
    judges only a lone revocation's; the console, both CLIs, ``acts/prepare`` and ``POST /api/v1/acts`` take only
    codes that mean something, so that no history shows 其他原因 for an act made or relayed here."""
    if code not in SIGNED_ACT_REASONS[act]:
        raise UnknownReason(act, code)
    return code


def check_act_reason(act: str, message: Mapping[str, Any]) -> None:
    """UnknownReason when ``message``, the fields of signed act ``act``, carries a reason code outside the act's
    vocabulary; an act without a reason code, or a reason that is no integer (the act's type refuses it), passes."""
    reason = message.get("reason")
    if act in SIGNED_ACT_REASONS and type(reason) is int:
        checked_reason(act, reason)


def reason_listing(act: str) -> str:
    """The codes ``act`` takes, each with its English label, for a command's help and its refusals."""
    return "; ".join(f"{int(code)} {reason.label_en}" for code, reason in sorted(SIGNED_ACT_REASONS[act].items()))


def reason_label(act: str, code: int | None) -> str | None:
    """The Chinese label of ``act``'s reason ``code``; a code outside the vocabulary is named as such (the chain
    takes any number); None for an act without a reason code."""
    if code is None or act not in BY_ACT:
        return None
    known = BY_ACT[act].get(code)
    return known.label if known else f"其他原因（代码 {code}）"


def as_json(reasons: dict[int, Reason]) -> list[dict[str, Any]]:
    """A vocabulary as the API publishes it, by code."""
    return [
        {"code": int(code), "label": r.label, "labelEn": r.label_en, "legalGround": r.legal_ground}
        for code, r in sorted(reasons.items())
    ]
