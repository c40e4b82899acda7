"""``next_block``, which the demo and bench scripts use where they need the chain to move on: anvil mines the block
on demand (``evm_mine``), at once; on geth, which has no ``evm_mine``, the next sealed block is awaited
(tests/network/test_transactions.py)."""

from __future__ import annotations

from web3 import Web3

from ledger.chain.node import next_block


def test_on_anvil_the_next_block_is_mined_at_once(w3: Web3) -> None:
    head = w3.eth.block_number
    assert next_block(w3, timeout=0) == head + 1 == w3.eth.block_number
