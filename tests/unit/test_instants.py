"""One time format: a validity's last day is the certificate's printed date (a Beijing date), pages read instants in
Beijing time, and messages give instants in ISO 8601, never unix seconds."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from eth_account import Account

from api.answers.applications import INSTANT_ARGUMENTS
from api.templating import beijing_date, beijing_time
from ledger.certificates.documents import chain_time, last_day
from ledger.settings import PROJECT_ROOT
from wallet.errors import Expired
from wallet.typed_acts import Domain, sign_act, verify_act


@pytest.mark.parametrize("day", ["2030-12-31", "2024-02-29", "2027-01-01"])
def test_the_last_day_of_a_window_is_the_printed_date(day: str) -> None:
    end = chain_time(day, exclusive_end=True)  # Beijing midnight after the printed last day
    assert last_day(end) == dt.date.fromisoformat(day)
    beijing_end = dt.datetime.fromtimestamp(end, dt.timezone(dt.timedelta(hours=8))).date()
    assert last_day(end) == beijing_end - dt.timedelta(days=1)
    assert last_day(end + 3600) == beijing_end, "an end inside a day includes that day"


def test_pages_read_instants_in_beijing_time() -> None:
    moment = dt.datetime(2026, 12, 1, 18, 35, tzinfo=dt.UTC)
    assert beijing_time(moment) == "2026-12-02 02:35 北京时间"
    assert beijing_date(moment) == dt.date(2026, 12, 2)


def test_an_expired_act_says_when_in_iso_8601() -> None:
    domain = Domain(31337, "0x" + "11" * 20)
    signed = sign_act(Account.create(), domain, "Suspend", {"id": b"\1" * 32, "reason": 1, "nonce": 0, "deadline": 0})
    with pytest.raises(Expired, match=r"deadline 1970-01-01T00:00:00Z has passed \(now 1970-01-01T00:01:40Z\)"):
        verify_act(signed, domain, 100)


def test_every_instant_a_licensing_event_logs_is_given_as_iso_8601_in_a_timeline() -> None:
    """The contracts keep instants as uint40 unix seconds: each such event argument is one the timeline converts."""
    events = re.findall(r"event \w+\(([^)]*)\)", (PROJECT_ROOT / "contracts" / "ILicensingRegistry.sol").read_text())
    logged = {name for arguments in events for name in re.findall(r"uint(?:40|64) (\w+)", arguments)}
    assert logged == INSTANT_ARGUMENTS
