"""How the import sizes its batches to the block gas limit (``importer.fitting_batch_size``): a block on a chain
that seals every period holds a whole number of batches, so a batch just over a third of a block wastes a quarter
of every block."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from ledger.certificates.importer import FILL, FULL, fitting_batch_size


def test_a_block_of_60m_gas_takes_four_batches_of_93_rather_than_three_of_100() -> None:
    assert fitting_batch_size(60_000_000, 156_000, 100) == 93


def test_small_batches_are_left_as_asked() -> None:
    assert fitting_batch_size(60_000_000, 156_000, 10) == 10


@given(
    gas_limit=st.integers(5_000_000, 100_000_000),
    gas_per_certificate=st.integers(50_000, 400_000),
    most=st.integers(1, 200),
)
def test_the_batches_fill_the_block_and_never_exceed_the_most(
    gas_limit: int, gas_per_certificate: int, most: int
) -> None:
    size = fitting_batch_size(gas_limit, gas_per_certificate, most)
    per_block = gas_limit * FILL / gas_per_certificate
    assert 1 <= size <= most
    if per_block >= 20:  # a block of many certificates: its whole batches take nearly all of it
        assert (per_block // size) * size >= FULL * per_block
