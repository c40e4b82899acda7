"""How the import cuts its batches: sized to the block gas limit (``importer.fitting_batch_size``: a block on a
chain that seals every period holds a whole number of batches, so a batch just over a third of a block wastes a
quarter of every block), the size learnt from the whole batches sent, and each planners' batch waiting only for
its own employers' batches."""

from __future__ import annotations

from typing import cast

from hypothesis import given
from hypothesis import strategies as st

from ledger.certificates.documents import Document
from ledger.certificates.importer import FILL, FULL, Item, _batches, _Sizing, fitting_batch_size
from ledger.certificates.vocabulary import Kind
from ledger.chain.transactions import TransactionSender


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


def _item(kind: Kind, subject: bytes, employer: bytes = b"") -> Item:
    request = {"number": subject.hex(), "subject": subject, "employer": employer}
    return Item("register.csv", 2, kind, cast(Document, None), request)


def _sender(name: str) -> TransactionSender:
    return cast(TransactionSender, name)  # the batches only carry their sender along


def test_a_planners_batch_needs_only_its_own_employers_and_planners_follow_their_employers_turn() -> None:
    firms_a = [_item(Kind.FIRM, bytes([1, n])) for n in range(4)]
    firms_b = [_item(Kind.FIRM, bytes([2, n])) for n in range(4)]
    employed_by_b = [_item(Kind.PLANNER, bytes([3, n]), firms_b[n].request["subject"]) for n in range(2)]
    employed_by_a = [_item(Kind.PLANNER, bytes([4, n]), firms_a[n].request["subject"]) for n in range(2)]
    employed_elsewhere = [_item(Kind.PLANNER, bytes([5, 0]), b"an employer already on chain")]
    lanes = [
        (_sender("province A"), firms_a),
        (_sender("province B"), firms_b),
        (_sender("registrar"), employed_by_b + employed_by_a + employed_elsewhere),
    ]
    batches = list(_batches(lanes, _Sizing(60_000_000, 2)))
    assert [(b.sender, len(b.items)) for b in batches] == [
        ("province A", 2),
        ("province A", 2),
        ("province B", 2),
        ("province B", 2),
        ("registrar", 2),
        ("registrar", 2),
        ("registrar", 1),
    ]
    planners = batches[4:]
    assert planners[0].items == [employed_elsewhere[0], employed_by_a[0]]  # in the order the employers are sent
    assert planners[0].needs == {firms_a[0].request["subject"]}  # not the employer already on chain
    assert planners[1].needs == {firms_a[1].request["subject"], firms_b[0].request["subject"]}
    assert planners[2].needs == {firms_b[1].request["subject"]}


def test_the_batches_take_the_size_learnt_from_the_whole_batches_sent_so_far() -> None:
    sizing = _Sizing(60_000_000, 100)
    items = [_item(Kind.PLANNER, bytes([6, n % 256, n // 256])) for n in range(300)]
    sizes = []
    for batch in _batches([(_sender("registrar"), items)], sizing):
        sizes.append(len(batch.items))
        sizing.learn(len(batch.items), 158_000 * len(batch.items))
    assert sizes[:2] == [100, 92]  # four of 92 planners at 158,000 gas fill a 60M block, three of 100 do not
    assert sum(sizes) == 300


def test_only_a_whole_batch_teaches_the_size() -> None:
    sizing = _Sizing(60_000_000, 100)
    sizing.learn(10, 10 * 400_000)  # a province's few certificates, their batch's own gas shared by ten
    assert sizing.size == 100
    sizing.learn(100, 100 * 156_000)
    assert sizing.size == 93
