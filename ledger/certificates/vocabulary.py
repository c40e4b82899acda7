"""The certificate vocabulary, mirrored from contracts/Common.sol: one definition for all of Python."""

from __future__ import annotations

from enum import IntEnum


class Kind(IntEnum):
    NONE = 0
    FIRM = 1
    PLANNER = 2


class Grade(IntEnum):
    NONE = 0
    A = 1  # 甲级
    B = 2  # 乙级


class Status(IntEnum):
    NONE = 0
    ACTIVE = 1
    SUSPENDED = 2
    REVOKED = 3
    SUPERSEDED = 4
    EXPIRED = 5  # derived from validUntil, never stored


# Chinese labels shown to users, after the ministry's e-certificate vocabulary (docs/domain.md#status-vocabulary);
# the codes stay ours.
STATUS_LABELS = {
    Status.ACTIVE: "有效",
    Status.SUSPENDED: "暂扣",
    Status.REVOKED: "撤销",
    Status.SUPERSEDED: "已换发",
    Status.EXPIRED: "失效",
}
KIND_LABELS = {Kind.FIRM: "城乡规划编制单位资质证书", Kind.PLANNER: "注册城乡规划师注册证书"}
GRADE_LABELS = {Grade.A: "甲级", Grade.B: "乙级"}
ACT_LABELS = {
    "ISSUE": "新发",
    "RENEW": "延续",
    "UPGRADE": "升级（乙级→甲级）",
    "SUPERSEDED": "换发新证",
    "AMEND": "变更",
    "BIND": "绑定持证密钥",
    "TRANSFER": "变更注册",
    "MOVE": "迁移（变更所在省份）",
    "SUSPEND": "暂扣",
    "REINSTATE": "恢复",
    "REVOKE": "撤销",
}
