"""The licensing procedure's words: application kinds and stages as the contract numbers them, with the Chinese
labels the public and the regulators read."""

from __future__ import annotations

from typing import Literal, get_args

StageName = Literal[
    "FILED",
    "COMPLETION_REQUESTED",
    "ACCEPTED",
    "PROVINCE_REVIEWED",
    "REVIEWED",
    "IN_NOTICE",
    "APPROVED",
    "REFUSED",
    "NOT_ACCEPTED",
    "WITHDRAWN",
]
KindName = Literal[
    "FIRST",
    "UPGRADE",
    "RENEWAL",
    "CHANGE",
    "CANCELLATION",
    "PLANNER_REGISTRATION",
    "PLANNER_RENEWAL",
    "PLANNER_CHANGE",
    "PLANNER_CANCELLATION",
]
KINDS = ("NONE", *get_args(KindName))  # ApplicationKind in contracts/ILicensingRegistry.sol, by value
STAGES = ("NONE", *get_args(StageName))  # Stage, by value
FINAL_STAGES = frozenset({"APPROVED", "REFUSED", "NOT_ACCEPTED", "WITHDRAWN"})

KIND_LABELS = {
    "FIRST": "首次申请",
    "UPGRADE": "资质升级",
    "RENEWAL": "资质延续",
    "CHANGE": "资质变更",
    "CANCELLATION": "资质注销",
    "PLANNER_REGISTRATION": "注册城乡规划师初始注册",
    "PLANNER_RENEWAL": "延续注册",
    "PLANNER_CHANGE": "变更注册（变更执业单位）",
    "PLANNER_CANCELLATION": "注销注册",
}
PLANNER_KINDS = frozenset(k for k in KIND_LABELS if k.startswith("PLANNER_"))
STAGE_LABELS = {
    "FILED": "已申请，待受理",
    "COMPLETION_REQUESTED": "待补正材料",
    "ACCEPTED": "已受理，审查中",
    "PROVINCE_REVIEWED": "省级初审完成，报部审查",
    "REVIEWED": "审查完成",
    "IN_NOTICE": "公示中",
    "APPROVED": "准予许可",
    "REFUSED": "不予许可",
    "NOT_ACCEPTED": "不予受理",
    "WITHDRAWN": "申请人撤回",
}
STEP_LABELS = {
    "ApplicationFiled": "申请",
    "CompletionRequested": "一次性告知补正",
    "DossierSupplemented": "补正材料",
    "ApplicationNotAccepted": "不予受理",
    "ApplicationAccepted": "受理",
    "ApplicationReviewed": "审查意见",
    "ExpertReview": "专家评审",
    "DecisionExtended": "延长审查期限",
    "NoticePublished": "公示",
    "ObjectionRaised": "异议",
    "ObjectionAnswered": "异议处理结果",
    "ApplicationApproved": "准予许可并发证",
    "ApplicationRefused": "不予许可",
    "ApplicationWithdrawn": "撤回申请",
    "EmployerNamed": "申请的执业单位",
    "EmployerConsented": "执业单位同意",
}
