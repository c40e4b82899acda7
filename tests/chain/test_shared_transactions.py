"""A transaction sent through one node of a comma-list LEDGER_RPC_URL is handed to the others as well
(``FailoverProvider.share``): on a network, the sealers have it at once instead of after the gossip's
announce-and-fetch. Two anvils stand in for two nodes of one chain (the same chain id and funded keys), a third
URL answers nothing."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from web3 import Web3

from ledger.chain.failover import FailoverProvider
from ledger.chain.localchain import LocalChain, free_port
from ledger.chain.node import connect
from ledger.chain.transactions import fees_for
from wallet.devkeys import dev_account


@pytest.fixture
def two_nodes() -> Iterator[tuple[LocalChain, LocalChain]]:
    first, second = LocalChain(free_port()).start(), LocalChain(free_port()).start()
    try:
        yield first, second
    finally:
        first.stop()
        second.stop()


def test_a_transaction_sent_through_one_node_reaches_every_other_listed_node(
    two_nodes: tuple[LocalChain, LocalChain],
) -> None:
    first, second = two_nodes
    nowhere = f"http://127.0.0.1:{free_port()}"
    w3 = connect(",".join([first.url, nowhere, second.url]))
    sender, receiver = dev_account("firm", 31337), dev_account("planner", 31337)
    base_fee = w3.eth.get_block("latest")["baseFeePerGas"]
    transfer = {"to": receiver.address, "value": 1, "gas": 21_000, "nonce": 0, "chainId": 31337}
    signed = sender.sign_transaction({**transfer, **fees_for(base_fee)})  # type: ignore[arg-type]
    w3.eth.send_raw_transaction(signed.raw_transaction)
    assert isinstance(w3.provider, FailoverProvider)
    w3.provider.share(signed.raw_transaction.to_0x_hex())  # the node that does not answer is passed over
    for node in (first, second):
        receipt = Web3(Web3.HTTPProvider(node.url)).eth.get_transaction_receipt(signed.hash)
        assert receipt["status"] == 1, f"mined on {node.url}"
    w3.provider.share(signed.raw_transaction.to_0x_hex())  # sharing it again: the nodes that have it say so, quietly
