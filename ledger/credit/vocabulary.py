"""The credit vocabulary, mirrored from contracts/ICreditRegistry.sol, and the category and reason codes the
ledger uses (the chain stores the numbers and does not interpret them)."""

from __future__ import annotations

from enum import IntEnum


class CreditKind(IntEnum):
    NONE = 0
    HONOUR = 1  # 荣誉信息
    DISHONESTY = 2  # 失信信息


class Severity(IntEnum):
    NONE = 0
    MINOR = 1  # 轻微: published ≤ 3 months
    GENERAL = 2  # 一般: 3 months – 1 year
    SERIOUS = 3  # 严重: 1 – 3 years


class InspectionOutcome(IntEnum):
    NONE = 0
    PASSED = 1  # 合格
    RECTIFY = 2  # 责令整改
    FAILED = 3  # 不合格


class Category(IntEnum):
    """What a credit record is for. Honours below 100, dishonesty from 101."""

    NATIONAL_AWARD = 1  # 全国优秀国土空间规划设计奖
    PROVINCIAL_AWARD = 2  # 省级优秀国土空间规划设计奖
    COMMENDATION = 3  # 表彰、通报表扬
    ADMINISTRATIVE_PENALTY = 101  # 行政处罚
    VIOLATION = 102  # 违法违规行为
    FAILED_CHECK = 103  # 批后核查不合格
    RENTING_LENDING = 104  # 挂证、出租出借资质或注册证书
    FRAUD = 105  # 弄虚作假


class RevocationReason(IntEnum):
    """Reason codes of revocations (CertificateRevoked.reason) that credit supervision reads."""

    NO_LONGER_QUALIFIED = 1  # 撤回: no longer meets its grade after post-approval checks
    FRAUD = 2  # 撤销: obtained by fraud
    CANCELLED = 3  # 注销: voluntary, dissolved, lapsed
    RENTING_LENDING = 4  # 出租出借
    PENALTY = 5  # 吊销


CATEGORY_LABELS = {
    Category.NATIONAL_AWARD: "全国优秀规划设计奖",
    Category.PROVINCIAL_AWARD: "省级优秀规划设计奖",
    Category.COMMENDATION: "表彰",
    Category.ADMINISTRATIVE_PENALTY: "行政处罚",
    Category.VIOLATION: "违法违规",
    Category.FAILED_CHECK: "批后核查不合格",
    Category.RENTING_LENDING: "挂证（出租出借）",
    Category.FRAUD: "弄虚作假",
}
SEVERITY_LABELS = {Severity.MINOR: "轻微", Severity.GENERAL: "一般", Severity.SERIOUS: "严重"}
OUTCOME_LABELS = {
    InspectionOutcome.PASSED: "合格",
    InspectionOutcome.RECTIFY: "责令整改",
    InspectionOutcome.FAILED: "不合格",
}


def category_label(code: int) -> str:
    try:
        return CATEGORY_LABELS[Category(code)]
    except ValueError:
        return f"类别 {code}"
