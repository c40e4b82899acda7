"""Transactions on the network of authorities (``ledger.chain.transactions`` on geth Clique): an act sent through a
node that restarts before the act is in a block, having lost its pool, is still mined exactly once, and the
sender's next act takes the next nonce. The node is cut off from its peers first, so that no sealer hears of the act
before the restart; meanwhile the act sits unmined long enough to be replaced, which shows that geth takes our fee
bump. (Stopping the sealers instead would hold the act back too, but a Clique network whose sealers all restart
together can stall on competing blocks: seen here, at one block each on two branches.)"""

from __future__ import annotations

import time
from collections import deque
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from web3.exceptions import TransactionNotFound

from ledger.chain.network import READER, DevelopmentNetwork
from ledger.chain.node import next_block
from ledger.chain.transactions import TransactionSender
from ledger.wiring import Ledger
from tests.network.conftest import take, through
from wallet.devkeys import NETWORK_CHAIN_ID, dev_account


def forget_pool(datadir: Path) -> None:
    """What geth keeps of its pool across a restart is the journal of the transactions sent to it over RPC;
    without it the node comes back knowing none of them, as it does for those it heard from peers."""
    for journal in datadir.rglob("transactions.rlp"):
        journal.unlink()


def replaced(on_network: Ledger, tx_hash: Any, timeout: float = 20.0) -> None:
    """Until the node holds a replacement of ``tx_hash`` instead of it (geth drops a replaced transaction)."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            on_network.w3.eth.get_transaction(tx_hash)
        except TransactionNotFound:
            return
        assert time.monotonic() < deadline, "the stuck transaction was not replaced"
        time.sleep(0.2)


def test_an_act_sent_through_a_node_that_restarts_before_inclusion_is_mined_once(
    network: DevelopmentNetwork, on_network: Ledger, unissued: deque[dict[str, Any]]
) -> None:
    reader = network.nodes[READER]
    via_reader = through(on_network, reader.url)
    sender = TransactionSender(
        via_reader.w3,
        dev_account("ministry", NETWORK_CHAIN_ID),
        via_reader.decoder,
        stuck_after=5.0,  # a replacement or two while cut off and restarting, not all it may make (CI used all 5)
        poll=0.3,
        receipt_timeout=90,
    )
    start = via_reader.w3.eth.get_transaction_count(sender.address, "latest")
    network.partition([READER])  # so that no sealer hears of the act before the restart
    with ThreadPoolExecutor(1) as waiter:
        try:
            sent = sender.send(via_reader.registry.functions.issueBatch(take(unissued, 1)))
            waiting = waiter.submit(sender.wait, sent)
            replaced(via_reader, sent)
            reader.stop()
            forget_pool(reader.datadir)
        finally:
            network.start()  # the reader back, dialling its peers
            network.heal()
        receipt = waiting.result(timeout=60)
    assert receipt["status"] == 1 and receipt["transactionHash"] != sent  # the replacement, sent again
    with pytest.raises(TransactionNotFound):
        via_reader.w3.eth.get_transaction_receipt(sent)
    assert via_reader.w3.eth.get_transaction_count(sender.address, "latest") == start + 1
    follow_up = sender.transact(via_reader.registry.functions.issueBatch(take(unissued, 1)))
    assert via_reader.w3.eth.get_transaction(follow_up["transactionHash"])["nonce"] == start + 1


def test_on_geth_the_next_block_is_awaited_not_mined(network: DevelopmentNetwork, on_network: Ledger) -> None:
    head = on_network.w3.eth.block_number
    started = time.monotonic()
    assert next_block(on_network.w3, timeout=10) > head
    assert time.monotonic() - started <= network.period + 1  # a sealer's next block, within a period
