"""The certificate vocabulary, mirrored from contracts/Common.sol: one definition for all of Python."""

from __future__ import annotations

from enum import IntEnum


class Kind(IntEnum):
    NONE = 0
    FIRM = 1
    PLANNER = 2


class Grade(IntEnum):
    NONE = 0
    A = 1
    B = 2

    @property
    def label(self) -> str:
        return {Grade.A: "甲级", Grade.B: "乙级"}.get(self, "")


class Status(IntEnum):
    NONE = 0
    ACTIVE = 1
    SUSPENDED = 2
    REVOKED = 3
    SUPERSEDED = 4
    EXPIRED = 5

    @property
    def label(self) -> str:
        """The Chinese label shown to users (e-certificate status vocabulary)."""
        return _STATUS_LABELS[self]


_STATUS_LABELS = {
    Status.NONE: "未登记",
    Status.ACTIVE: "有效",
    Status.SUSPENDED: "暂扣",
    Status.REVOKED: "撤销",
    Status.SUPERSEDED: "已换发",
    Status.EXPIRED: "失效",
}

# GB/T 2260 province-level codes; the contract holds the same set as a bitmap.
PROVINCE_CODES = frozenset(
    [*range(11, 16), *range(21, 24), *range(31, 38), *range(41, 47), *range(50, 55), *range(61, 66), 71, 81, 82]
)
