"""Statutory time limits in working days: due dates across the 2025 and 2026 holidays (dates checked against
chinese-calendar 1.11.0's data), excluded expert review, extensions, Beijing-time days, and the licensing rule set."""

from __future__ import annotations

import dataclasses
import hashlib
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from ledger.errors import RuleSetError
from ledger.licensing.deadlines import (
    BEIJING,
    add_working_days,
    beijing_date,
    calendar_knows,
    is_working_day,
    notice_end,
    step_due,
    working_days_between,
)
from ledger.rules import RULES_DIR, licensing_rules

RULES = licensing_rules("licensing-2012")


def beijing(year: int, month: int, day: int, hour: int = 10, minute: int = 0) -> int:
    """Unix seconds of a Beijing wall-clock time."""
    return int(datetime(year, month, day, hour, minute, tzinfo=BEIJING).timestamp())


# The calendar as the package has it (State Council notices for 2025 and 2026).
@pytest.mark.parametrize(
    ("day", "working"),
    [
        (date(2025, 1, 26), True),  # Sunday, make-up working day for the Spring Festival
        (date(2025, 1, 28), False),  # Tuesday, Spring Festival (28 January – 4 February)
        (date(2025, 2, 8), True),  # Saturday, make-up working day
        (date(2025, 10, 8), False),  # Wednesday, National Day (1–8 October)
        (date(2025, 10, 11), True),  # Saturday, make-up working day
        (date(2026, 1, 4), True),  # Sunday, make-up working day for New Year
        (date(2026, 2, 14), True),  # Saturday, make-up working day for the Spring Festival (15–23 February)
        (date(2026, 2, 16), False),  # Monday, Spring Festival
        (date(2026, 2, 21), False),  # Saturday within the Spring Festival
        (date(2026, 2, 28), True),  # Saturday, make-up working day
        (date(2026, 9, 20), True),  # Sunday, make-up working day for National Day (1–7 October)
        (date(2026, 9, 25), False),  # Friday, Mid-Autumn Festival
        (date(2026, 3, 2), True),  # an ordinary Monday
        (date(2026, 3, 7), False),  # an ordinary Saturday
    ],
)
def test_working_days_follow_the_holiday_notices(day: date, working: bool) -> None:
    assert is_working_day(day) is working


def test_spring_festival_2025() -> None:
    # From Friday 24 January: Sunday 26 and Monday 27 count, 28 January – 4 February do not, then 5, 6, 7 February.
    assert add_working_days(date(2025, 1, 24), 1) == date(2025, 1, 26)
    assert add_working_days(date(2025, 1, 24), 5) == date(2025, 2, 7)
    assert add_working_days(date(2025, 1, 24), 6) == date(2025, 2, 8)  # the make-up Saturday
    assert working_days_between(date(2025, 1, 24), date(2025, 2, 8)) == 6


def test_spring_festival_2026() -> None:
    # Saturday 14 February is a working day, 15–23 February (Monday 16 to Friday 20 among them) are not.
    assert add_working_days(date(2026, 2, 13), 1) == date(2026, 2, 14)
    assert add_working_days(date(2026, 2, 14), 1) == date(2026, 2, 24)
    assert add_working_days(date(2026, 2, 16), 5) == date(2026, 2, 28)  # 24–27 February and make-up Saturday 28
    # A decision limit (art. 42) from acceptance on Friday 13 February.
    assert add_working_days(date(2026, 2, 13), RULES.decision_working_days) == date(2026, 3, 19)


def test_national_day() -> None:
    # 2025: Sunday 28 September works, 1–8 October are holidays, Saturday 11 October works.
    assert add_working_days(date(2025, 9, 26), 2) == date(2025, 9, 29)
    assert add_working_days(date(2025, 9, 26), 10) == date(2025, 10, 16)
    assert add_working_days(date(2025, 9, 30), RULES.acceptance_working_days) == date(2025, 10, 14)
    # 2026: Sunday 20 September works, Mid-Autumn Friday 25 September and 1–7 October do not, Saturday 10 October works.
    assert add_working_days(date(2026, 9, 18), 10) == date(2026, 10, 9)
    assert add_working_days(date(2026, 9, 30), RULES.certificate_working_days) == date(2026, 10, 20)


def test_the_start_day_is_not_counted() -> None:
    monday = date(2026, 3, 2)
    assert add_working_days(monday, 1) == date(2026, 3, 3)
    assert add_working_days(monday, 0) == monday
    assert working_days_between(monday, monday) == 0
    assert working_days_between(monday, date(2026, 2, 27)) == 0


def test_between_inverts_add_across_holidays_and_exclusions() -> None:
    review = [(date(2025, 3, 10), date(2025, 3, 21))]
    for start in (date(2025, 1, 20) + timedelta(days=i) for i in range(0, 300, 7)):
        for days in (1, 5, 20, 30):
            for excluded in ((), review):
                assert working_days_between(start, add_working_days(start, days, excluded), excluded) == days


def test_expert_review_is_not_counted() -> None:
    accepted = date(2025, 3, 3)  # Monday
    assert add_working_days(accepted, 20) == date(2025, 3, 31)
    # Expert review 10–21 March (10 working days) is left out; Qingming Friday 4 April is a holiday too.
    review = [(date(2025, 3, 10), date(2025, 3, 21))]
    assert add_working_days(accepted, 20, review) == date(2025, 4, 15)
    assert working_days_between(accepted, date(2025, 3, 31), review) == 10
    # Overlapping periods count each day once.
    overlapping = [(date(2025, 3, 10), date(2025, 3, 17)), (date(2025, 3, 14), date(2025, 3, 21))]
    assert add_working_days(accepted, 20, overlapping) == date(2025, 4, 15)


def test_extension() -> None:
    started = beijing(2025, 3, 3)
    plain = step_due(started, RULES.decision_working_days, beijing(2025, 4, 2))
    extended = step_due(
        started, RULES.decision_working_days, beijing(2025, 4, 2), extension=RULES.decision_extension_working_days
    )
    assert (plain.due, plain.overdue) == (date(2025, 3, 31), True)
    assert (extended.working_days, extended.due, extended.overdue) == (30, date(2025, 4, 15), False)
    assert extended.remaining == 8  # 3, 7–11, 14 and 15 April (Qingming Friday 4 April is a holiday)


def test_beijing_date_boundary() -> None:
    late_utc = int(datetime(2026, 2, 13, 23, 30, tzinfo=UTC).timestamp())
    assert beijing_date(late_utc) == date(2026, 2, 14)  # 07:30 next morning in Beijing
    assert beijing_date(late_utc - 8 * 3600) == date(2026, 2, 13)  # 23:30 in Beijing
    # The day decides the count: filed on Friday evening the limit starts on Saturday 14 (a working day); filed
    # after midnight Beijing time the start is Saturday 14 itself, not counted, and the next is Tuesday 24.
    assert step_due(late_utc - 8 * 3600, 1, late_utc - 8 * 3600).due == date(2026, 2, 14)
    assert step_due(late_utc, 1, late_utc).due == date(2026, 2, 24)


def test_overdue_from_the_day_after_the_due_date() -> None:
    started = beijing(2025, 3, 3, 16)
    limit = RULES.decision_working_days
    before = step_due(started, limit, beijing(2025, 3, 28))
    assert (before.started, before.due, before.remaining, before.overdue) == (
        date(2025, 3, 3),
        date(2025, 3, 31),
        1,
        False,
    )
    last_day = step_due(started, limit, beijing(2025, 3, 31, 23, 59))
    assert (last_day.remaining, last_day.overdue) == (0, False)
    after = step_due(started, limit, beijing(2025, 4, 1, 0, 0))
    assert (after.remaining, after.overdue) == (0, True)
    # A review still under way is passed as ending today: the step is not overdue while it lasts.
    under_review = step_due(started, limit, beijing(2025, 4, 1), excluded=[(date(2025, 3, 24), date(2025, 4, 1))])
    assert (under_review.due, under_review.overdue) == (date(2025, 4, 10), False)
    # An instant before the start (a clock behind the chain) leaves the whole limit.
    assert step_due(started, limit, started - 86400).remaining == limit


def test_a_year_the_calendar_does_not_know_is_counted_on_weekdays_and_marked_provisional() -> None:
    """chinese-calendar 1.11.0 knows 2004-2026: a December application's limits run into 2027 all the same."""
    assert not calendar_knows(2027) and calendar_knows(2026)
    assert is_working_day(date(2027, 1, 4)) and not is_working_day(date(2027, 1, 2))  # a Monday, a Saturday
    assert add_working_days(date(2026, 12, 25), 10) == date(2027, 1, 8)  # 28-31 Dec, 1 Jan (weekday), 4-8 Jan
    december = step_due(beijing(2026, 12, 25), 10, beijing(2026, 12, 28))
    assert december.provisional and december.due == date(2027, 1, 8)
    # A due date within the known years is not provisional, and is judged overdue later all the same.
    late = step_due(beijing(2026, 12, 1), 5, beijing(2027, 1, 5))
    assert (late.due, late.overdue, late.provisional) == (date(2026, 12, 8), True, False)


def test_bad_arguments() -> None:
    with pytest.raises(ValueError, match="negative"):
        add_working_days(date(2026, 3, 2), -1)
    with pytest.raises(ValueError, match="negative"):
        step_due(beijing(2026, 3, 2), 5, beijing(2026, 3, 3), extension=-1)
    with pytest.raises(ValueError, match="before it starts"):
        working_days_between(date(2026, 3, 2), date(2026, 3, 9), [(date(2026, 3, 5), date(2026, 3, 4))])


def test_licensing_rule_set() -> None:
    raw = (RULES_DIR / "licensing-2012.toml").read_bytes()
    assert RULES.rules.citation() == {"version": "licensing-2012", "sha256": hashlib.sha256(raw).hexdigest()}
    assert (
        RULES.completion_notice_working_days,
        RULES.acceptance_working_days,
        RULES.decision_working_days,
        RULES.decision_extension_working_days,
        RULES.certificate_working_days,
        RULES.public_notice_calendar_days,
        RULES.province_first_review_working_days,
        RULES.ministry_review_working_days,
        RULES.expert_review_counted,
    ) == (5, 5, 20, 10, 10, 10, 20, 20, False)


def test_licensing_rules_from_the_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    text = (RULES_DIR / "licensing-2012.toml").read_text().replace('"licensing-2012"', '"licensing-test"')
    path = tmp_path / "licensing-test.toml"
    path.write_text(text.replace("working_days = 20\n", "working_days = 15\n", 1))
    monkeypatch.setenv("LICENSING_RULES", str(path))
    licensing_rules.cache_clear()
    try:
        rules = licensing_rules()
        assert (rules.rules.version, rules.decision_working_days) == ("licensing-test", 15)
    finally:
        licensing_rules.cache_clear()


def test_the_demo_rule_set_differs_from_the_2012_one_only_in_the_minimum_notice() -> None:
    demo, real = licensing_rules("licensing-demo"), licensing_rules("licensing-2012")
    assert (demo.public_notice_calendar_days, real.public_notice_calendar_days) == (0, 10)
    assert dataclasses.replace(demo, rules=real.rules, public_notice_calendar_days=10) == real


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("working_days = 20\n", "", r"\[decision\] working_days must be a whole number of days, at least 1"),
        ("working_days = 20\n", "working_days = 0\n", r"\[decision\] working_days must be .* at least 1"),
        ("calendar_days = 10", "calendar_days = -1", r"\[public_notice\] calendar_days"),
        ("calendar_days = 10", "calendar_days = true", r"\[public_notice\] calendar_days"),
        ("calendar_days = 10", 'calendar_days = "10"', r"\[public_notice\] calendar_days"),
        ("[certificate]\n", "[certificates]\n", r"\[certificate\] working_days"),
        ("counted = false", "counted = 0", r"\[expert_review\] counted must be true or false"),
        ("counted = false", "counted = ", "not TOML"),
    ],
)
def test_malformed_licensing_rules(tmp_path: Path, old: str, new: str, message: str) -> None:
    text = (RULES_DIR / "licensing-2012.toml").read_text()
    assert old in text
    path = tmp_path / "licensing-bad.toml"
    path.write_text(text.replace(old, new, 1))
    with pytest.raises(RuleSetError, match=message):
        licensing_rules(str(path))


def test_licensing_rules_table_that_is_no_table(tmp_path: Path) -> None:
    text = (RULES_DIR / "licensing-2012.toml").read_text()
    text = text.replace("[grade_a]\n", "[grade_b]\n").replace("version = ", "grade_a = 20\nversion = ")
    path = tmp_path / "licensing-bad.toml"
    path.write_text(text)
    with pytest.raises(RuleSetError, match=r"\[grade_a\] province_first_review_working_days"):
        licensing_rules(str(path))


def test_a_notice_ends_at_midnight_beijing_after_its_last_day() -> None:
    published = beijing(2026, 12, 1, 23, 30)  # 15:30 UTC
    ends = notice_end(published, 10)
    assert ends == beijing(2026, 12, 12, 0, 0) and ends - published >= 10 * 86400
    assert notice_end(beijing(2026, 12, 1, 0, 0), 10) == beijing(2026, 12, 12, 0, 0)
