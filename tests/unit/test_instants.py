"""One time format: messages give instants in ISO 8601, never unix seconds."""

from __future__ import annotations

import pytest
from eth_account import Account

from wallet.errors import Expired
from wallet.typed_acts import Domain, sign_act, verify_act


def test_an_expired_act_says_when_in_iso_8601() -> None:
    domain = Domain(31337, "0x" + "11" * 20)
    signed = sign_act(Account.create(), domain, "Suspend", {"id": b"\1" * 32, "reason": 1, "nonce": 0, "deadline": 0})
    with pytest.raises(Expired, match=r"deadline 1970-01-01T00:00:00Z has passed \(now 1970-01-01T00:01:40Z\)"):
        verify_act(signed, domain, 100)
