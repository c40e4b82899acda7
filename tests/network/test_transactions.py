"""Transactions on the network of authorities (``ledger.chain.transactions`` on geth Clique): an act sent through a
node that restarts before the act is in a block, having lost its pool, is still mined exactly once, and the
sender's next act takes the next nonce. The node is cut off from its peers first, so that no sealer hears of the act
before the restart; meanwhile the act sits unmined long enough to be replaced, which shows that geth takes our fee
bump. (Stopping the sealers instead would hold the act back too, but a Clique network whose sealers all restart
together can stall on competing blocks: seen here, at one block each on two branches.)"""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
import requests
from web3.exceptions import TransactionNotFound

from ledger.chain.geth import CliqueNode
from ledger.chain.network import READER, DevelopmentNetwork, peers
from ledger.chain.node import next_block
from ledger.chain.transactions import TransactionSender
from ledger.wiring import Ledger
from tests.network.test_network import ledger, network, through
from tests.register_helpers import firm_issue, register_for
from wallet.devkeys import NETWORK_CHAIN_ID, dev_account

__all__ = ["ledger", "network"]  # the network tier's fixtures: the same network of authorities and deployment


def issue(ledger: Ledger, seed: int) -> Any:
    """The ministry's act issuing one firm's certificate."""
    return ledger.registry.functions.issue(firm_issue(register_for(ledger.w3, firms=1, seed=seed).firms[0])[1])


def admin(node: CliqueNode, method: str, enode: str) -> None:
    requests.post(node.url, json={"jsonrpc": "2.0", "id": 1, "method": method, "params": [enode]}, timeout=10)


def cut_off(network: DevelopmentNetwork, name: str, timeout: float = 20.0) -> None:
    """The node ``name`` without peers: it dials none of them and none dials it (each drops the other from its
    static peers), so what is sent to it stays in its pool."""
    node = network.nodes[name]
    for other in network:
        if other is not node:
            admin(node, "admin_removePeer", other.enode)
            admin(other, "admin_removePeer", node.enode)
    deadline = time.monotonic() + timeout
    while peers(node):
        assert time.monotonic() < deadline, f"{name} still has peers"
        time.sleep(0.2)


def reconnect(network: DevelopmentNetwork, name: str) -> None:
    """The others dial ``name`` again (it dials them from its own static peers when it starts)."""
    for other in network:
        if other is not network.nodes[name]:
            admin(other, "admin_addPeer", network.nodes[name].enode)


def forget_pool(datadir: Path) -> None:
    """What geth keeps of its pool across a restart is the journal of the transactions sent to it over RPC;
    without it the node comes back knowing none of them, as it does for those it heard from peers."""
    for journal in datadir.rglob("transactions.rlp"):
        journal.unlink()


def replaced(ledger: Ledger, tx_hash: Any, timeout: float = 20.0) -> None:
    """Until the node holds a replacement of ``tx_hash`` instead of it (geth drops a replaced transaction)."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            ledger.w3.eth.get_transaction(tx_hash)
        except TransactionNotFound:
            return
        assert time.monotonic() < deadline, "the stuck transaction was not replaced"
        time.sleep(0.2)


def test_an_act_sent_through_a_node_that_restarts_before_inclusion_is_mined_once(
    network: DevelopmentNetwork, ledger: Ledger
) -> None:
    reader = network.nodes[READER]
    via_reader = through(ledger, reader.url)
    sender = TransactionSender(
        via_reader.w3,
        dev_account("ministry", NETWORK_CHAIN_ID),
        via_reader.decoder,
        stuck_after=2.0,
        poll=0.3,
        receipt_timeout=90,
    )
    start = via_reader.w3.eth.get_transaction_count(sender.address, "latest")
    cut_off(network, READER)
    with ThreadPoolExecutor(1) as waiter:
        try:
            sent = sender.send(issue(via_reader, seed=41))
            waiting = waiter.submit(sender.wait, sent)
            replaced(via_reader, sent)
            reader.stop()
            forget_pool(reader.datadir)
        finally:
            network.start()  # the reader back, dialling its peers
            reconnect(network, READER)
        receipt = waiting.result(timeout=60)
    assert receipt["status"] == 1 and receipt["transactionHash"] != sent  # the replacement, sent again
    with pytest.raises(TransactionNotFound):
        via_reader.w3.eth.get_transaction_receipt(sent)
    assert via_reader.w3.eth.get_transaction_count(sender.address, "latest") == start + 1
    follow_up = sender.transact(issue(via_reader, seed=42))
    assert via_reader.w3.eth.get_transaction(follow_up["transactionHash"])["nonce"] == start + 1


def test_on_geth_the_next_block_is_awaited_not_mined(network: DevelopmentNetwork, ledger: Ledger) -> None:
    head = ledger.w3.eth.block_number
    started = time.monotonic()
    assert next_block(ledger.w3, timeout=10) > head
    assert time.monotonic() - started <= network.period + 1  # a sealer's next block, within a period
