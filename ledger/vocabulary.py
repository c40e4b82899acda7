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
