"""Due dates of licensing steps, counted in working days as the Administrative Licensing Law asks (art. 82).

Working days follow the State Council's yearly holiday notices as the ``chinese-calendar`` package encodes them:
weekdays that are holidays are not counted, weekend make-up working days (调休) are. Counting convention: the day
a step began is not counted (期间开始的当日不计算在内); a limit of N working days ends at the end of the N-th
working day after it, and a step acted on that day is in time. The last day is always a working day, so no
separate roll-forward past holidays is needed. Periods whose time the law does not count (expert review, hearings:
art. 45) are given as closed date periods and left out of the count. The chain's times are unix seconds; days are
judged in Beijing time (UTC+8, no daylight saving since 1991).

The limits themselves are in the rule set (``ledger.rules.licensing_rules``)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from functools import cache

import chinese_calendar  # type: ignore[import-untyped]

BEIJING = timezone(timedelta(hours=8), "Asia/Shanghai")
ONE_DAY = timedelta(days=1)

Period = tuple[date, date]
"""A closed period of days, first and last included."""


def beijing_date(unix_seconds: int) -> date:
    """The day an instant falls on in Beijing, which is the day the law counts (23:30 UTC is the next day there)."""
    return datetime.fromtimestamp(unix_seconds, BEIJING).date()


def notice_end(published_at: int, days: int) -> int:
    """When a public notice of ``days`` calendar days published at ``published_at`` ends: at the end (24:00 Beijing)
    of the ``days``-th day after the day of publication, so always at least ``days`` × 24 hours later, whatever
    the block that records it."""
    last = beijing_date(published_at) + timedelta(days=days)
    return int(datetime.combine(last + ONE_DAY, datetime.min.time(), BEIJING).timestamp())


@cache
def calendar_knows(year: int) -> bool:
    """Whether the installed chinese-calendar has the State Council's holidays of ``year`` (published late in the
    year before, so next year's are often missing until the package is upgraded)."""
    try:
        chinese_calendar.is_workday(date(year, 1, 1))
    except NotImplementedError:  # what chinese-calendar raises for a year outside its data
        return False
    return True


@cache  # chinese-calendar validates every date it is asked (~60 µs); a queue page asks thousands, the same few
def is_working_day(day: date) -> bool:
    """Whether ``day`` is a working day, make-up working days included. In a year the calendar does not know yet,
    Monday to Friday: a provisional count (``Due.provisional``), never a refusal, since the limits of an
    application filed in December run into January before the next year's holidays are in the package."""
    if not calendar_knows(day.year):
        return day.weekday() < 5
    return bool(chinese_calendar.is_workday(day))


def _counted(day: date, excluded: Sequence[Period]) -> bool:
    return not any(first <= day <= last for first, last in excluded) and is_working_day(day)


def _check(excluded: Sequence[Period]) -> None:
    for first, last in excluded:
        if first > last:
            raise ValueError(f"excluded period ends ({last}) before it starts ({first})")


def add_working_days(start: date, days: int, excluded: Sequence[Period] = ()) -> date:
    """The last day of a limit of ``days`` working days that began on ``start``: ``start`` itself is not counted,
    nor are the days of the ``excluded`` periods. A limit of 0 days ends on ``start``."""
    if days < 0:
        raise ValueError(f"a time limit is not negative ({days} days)")
    _check(excluded)
    day = start
    while days:
        day += ONE_DAY
        if _counted(day, excluded):
            days -= 1
    return day


def working_days_between(start: date, end: date, excluded: Sequence[Period] = ()) -> int:
    """Working days elapsed from ``start`` to ``end``: those after ``start`` up to and including ``end``, less the days
    of the ``excluded`` periods (0 when ``end`` is not after ``start``). The inverse of ``add_working_days``:
    ``working_days_between(s, add_working_days(s, n, x), x) == n``."""
    _check(excluded)
    count = 0
    day = start + ONE_DAY
    while day <= end:
        count += _counted(day, excluded)
        day += ONE_DAY
    return count


@dataclass(frozen=True)
class Due:
    """Where a licensing step stands against its time limit at one instant."""

    started: date  # Beijing date the step began on (not counted)
    working_days: int  # the limit, extension included
    due: date  # the last day on which acting is in time
    remaining: int  # working days left after today up to the due date; 0 on the due date and after
    overdue: bool  # today (Beijing) is after the due date
    provisional: bool  # the count ran through a year whose holidays the calendar does not know: weekdays counted


def step_due(started_at: int, limit: int, now: int, *, excluded: Sequence[Period] = (), extension: int = 0) -> Due:
    """A step that began at ``started_at`` (unix seconds) with a limit of ``limit`` working days, as it stands at
    ``now``. ``excluded``: periods not counted (art. 45); a review still under way is passed as ending today, so the
    due date moves on while it lasts. ``extension``: working days added by an approved extension (art. 42)."""
    if extension < 0:
        raise ValueError(f"an extension is not negative ({extension} days)")
    started = beijing_date(started_at)
    today = beijing_date(now)
    days = limit + extension
    due = add_working_days(started, days, excluded)
    overdue = today > due
    remaining = 0 if overdue else working_days_between(max(today, started), due, excluded)
    provisional = not all(calendar_knows(year) for year in range(started.year, due.year + 1))
    return Due(started, days, due, remaining, overdue, provisional)
