"""Fees of a replacement transaction (``ledger.chain.transactions.replacement_fees``): what geth's pool accepts as
a replacement (10 % more of both the fee cap and the tip, ``txpool.pricebump``) and anvil's (strictly more), at the
tiny base fees of a quiet proof-of-authority chain as at busy ones, and never below the current base fee's need."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from ledger.chain.transactions import PRIORITY_FEE_WEI, fees_for, replacement_fees

wei = st.integers(min_value=0, max_value=10**14)


def accepted_by_geth(old: int, new: int) -> bool:
    return new >= old * 110 // 100  # legacypool: the threshold is (100 + pricebump) * old / 100, rounded down


@given(tip=wei, extra=wei, base=wei)
def test_a_replacement_raises_both_fees_past_geths_and_anvils_thresholds(tip: int, extra: int, base: int) -> None:
    old = {"maxFeePerGas": tip + extra, "maxPriorityFeePerGas": tip}
    new = replacement_fees(old, fees_for(base))  # type: ignore[arg-type]
    for key in ("maxFeePerGas", "maxPriorityFeePerGas"):
        assert accepted_by_geth(old[key], new[key]) and new[key] > old[key]
    assert new["maxFeePerGas"] >= 2 * base + new["maxPriorityFeePerGas"]  # still valid while the base fee doubles


def test_on_a_quiet_clique_chain_the_tip_is_nearly_all_that_is_paid() -> None:
    fees = fees_for(7)  # London's base fee decays to 7 wei over empty blocks, and stays there
    assert fees == {"maxFeePerGas": PRIORITY_FEE_WEI + 14, "maxPriorityFeePerGas": PRIORITY_FEE_WEI}
    assert replacement_fees(fees, fees) == {"maxFeePerGas": 1_100_000_016, "maxPriorityFeePerGas": 1_100_000_000}


def test_a_replacement_follows_a_base_fee_that_has_risen() -> None:
    old = fees_for(7)
    new = replacement_fees(old, fees_for(10**10))
    assert new["maxFeePerGas"] == 2 * 10**10 + new["maxPriorityFeePerGas"]
