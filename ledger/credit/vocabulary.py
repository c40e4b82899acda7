"""The credit vocabulary, mirrored from contracts/ICreditRegistry.sol, and the category codes the ledger uses (the
chain stores the numbers and does not interpret them). The revocation reasons credit supervision reads are the
certificates' (``wallet.reasons``)."""

from __future__ import annotations

from enum import IntEnum, StrEnum


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


class ListReason(StrEnum):
    """Why an entry is on a list (ledger/credit/lists.py): the stable identifiers the API sends."""

    PLANNERS_BELOW_RULE = "planners-below-rule"
    EXPIRING = "expiring"
    PLANNER_SANCTIONED = "planner-sanctioned"
    DISHONESTY_PUBLISHED = "dishonesty-published"
    SERIOUS_DISHONESTY = "serious-dishonesty"
    RENTING_LENDING = "renting-lending"
    REVOKED_FOR_FRAUD = "revoked-for-fraud"
    REVOKED_RENTING_LENDING = "revoked-renting-lending"
    TOP_GRADE_CLEAN = "top-grade-clean"


LIST_REASON_LABELS = {
    ListReason.PLANNERS_BELOW_RULE: "注册城乡规划师人数低于资质标准",
    ListReason.EXPIRING: "资质证书即将到期，尚未延续",
    ListReason.PLANNER_SANCTIONED: "注册城乡规划师有失信记录或注册被暂扣",
    ListReason.DISHONESTY_PUBLISHED: "有一般失信记录在公示期内",
    ListReason.SERIOUS_DISHONESTY: "有严重失信记录在公示期内",
    ListReason.RENTING_LENDING: "挂证（出租、出借资质或注册证书）",
    ListReason.REVOKED_FOR_FRAUD: "资质因弄虚作假被撤销",
    ListReason.REVOKED_RENTING_LENDING: "资质因出租、出借被撤销",
    ListReason.TOP_GRADE_CLEAN: "信用等级最高且无失信记录",
}
FACTOR_LABELS = {
    # the strength indicators (ledger.rules.STRENGTH_INDICATORS) ...
    "technical_staff": "技术人员数",
    "registered_planners": "注册城乡规划师数",
    "senior_titles": "高级职称人数",
    "years_qualified": "持有资质年限",
    "projects": "近三年规划项目数",
    # ... and the points of the other dimensions (ledger.credit.model.assess)
    "honour_points": "荣誉加分",
    "dishonesty_points": "失信扣分",
    "credit_points": "信用积分",
}
"""The credit model's factors in Chinese, by the identifiers the API sends (a test holds them to the model's)."""

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
