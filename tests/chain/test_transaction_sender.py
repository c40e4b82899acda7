"""The sender sees each transaction through to inclusion (``ledger.chain.transactions``), on anvil with its
automatic mining off, so that a transaction sits in the pool until the test mines it: a pool that lost the sender's
transactions gets the same bytes again, in nonce order; a transaction left unmined is replaced at the same nonce and
higher fees; either way the act lands once and the next send takes the next nonce."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from web3 import Web3
from web3.exceptions import TransactionNotFound

from ledger.chain.node import connect
from ledger.chain.transactions import TransactionSender
from ledger.errors import TransactionNotMined
from tests.conftest import Deployed
from tests.register_helpers import firm_issue, register_for
from wallet.devkeys import dev_account


@contextmanager
def unmined(w3: Web3) -> Iterator[None]:
    """anvil mines only when told (``evm_mine``); after, its pool is emptied and it mines each transaction again."""
    w3.provider.make_request("evm_setAutomine", [False])  # type: ignore[arg-type]
    try:
        yield
    finally:
        w3.provider.make_request("anvil_dropAllTransactions", [])  # type: ignore[arg-type]
        w3.provider.make_request("evm_setAutomine", [True])  # type: ignore[arg-type]


def issue_requests(deployed: Deployed, firms: int, seed: int) -> list[dict[str, Any]]:
    return [firm_issue(row)[1] for row in register_for(deployed.w3, firms=firms, seed=seed).firms]


def ministry(deployed: Deployed, **options: float) -> TransactionSender:
    account = dev_account("ministry", deployed.w3.eth.chain_id)
    return TransactionSender(deployed.w3, account, deployed.decoder, **options)


def mined_nonce(deployed: Deployed, sender: TransactionSender) -> int:
    return deployed.w3.eth.get_transaction_count(sender.address, "latest")


def test_transactions_the_pool_lost_are_sent_again_in_nonce_order_and_mined_once(deployed: Deployed) -> None:
    sender = ministry(deployed)
    requests = issue_requests(deployed, firms=2, seed=31)
    start = mined_nonce(deployed, sender)
    with unmined(deployed.w3):
        hashes = [sender.send(deployed.registry.functions.issue(r)) for r in requests]
        deployed.w3.provider.make_request("anvil_dropAllTransactions", [])  # type: ignore[arg-type]
        assert deployed.w3.eth.get_transaction_count(sender.address, "pending") == start  # the node knows none
    receipts = [sender.wait(h) for h in hashes]
    assert [r["transactionHash"] for r in receipts] == hashes  # the very bytes, sent again
    assert mined_nonce(deployed, sender) == start + 2
    follow_up = sender.send(deployed.registry.functions.issue(issue_requests(deployed, firms=1, seed=32)[0]))
    assert deployed.w3.eth.get_transaction(follow_up)["nonce"] == start + 2
    assert sender.wait(follow_up)["status"] == 1


def test_recount_sends_again_what_the_node_lost_and_keeps_counting_from_there(deployed: Deployed) -> None:
    sender = ministry(deployed)
    start = mined_nonce(deployed, sender)
    with unmined(deployed.w3):
        sent = sender.send(deployed.registry.functions.issue(issue_requests(deployed, firms=1, seed=33)[0]))
        deployed.w3.provider.make_request("anvil_dropTransaction", [sent.to_0x_hex()])  # type: ignore[arg-type]
        sender.recount()
        assert deployed.w3.eth.get_transaction(sent)["nonce"] == start  # back in the pool
        follow_up = sender.send(deployed.registry.functions.issue(issue_requests(deployed, firms=1, seed=34)[0]))
        assert deployed.w3.eth.get_transaction(follow_up)["nonce"] == start + 1
        deployed.w3.provider.make_request("evm_mine", [])  # type: ignore[arg-type]
    assert [sender.wait(h)["status"] for h in (sent, follow_up)] == [1, 1]
    assert mined_nonce(deployed, sender) == start + 2


def test_a_stuck_transaction_is_replaced_at_higher_fees_and_only_one_version_is_mined(deployed: Deployed) -> None:
    sender = ministry(deployed, stuck_after=0.3)
    start = mined_nonce(deployed, sender)
    miner = connect(deployed.ledger.rpc_url)  # a client of its own, mining from another thread
    with unmined(deployed.w3):
        original = sender.send(deployed.registry.functions.issue(issue_requests(deployed, firms=1, seed=35)[0]))
        first = deployed.w3.eth.get_transaction(original)
        threading.Timer(1.5, miner.provider.make_request, ("evm_mine", [])).start()
        receipt = sender.wait(original)
    assert receipt["status"] == 1 and receipt["transactionHash"] != original
    mined = deployed.w3.eth.get_transaction(receipt["transactionHash"])
    assert mined["nonce"] == first["nonce"] == start
    assert mined["maxPriorityFeePerGas"] >= first["maxPriorityFeePerGas"] * 110 // 100
    assert mined["maxFeePerGas"] >= first["maxFeePerGas"] * 110 // 100
    with pytest.raises(TransactionNotFound):
        deployed.w3.eth.get_transaction_receipt(original)
    assert mined_nonce(deployed, sender) == start + 1
    follow_up = sender.transact(deployed.registry.functions.issue(issue_requests(deployed, firms=1, seed=36)[0]))
    assert deployed.w3.eth.get_transaction(follow_up["transactionHash"])["nonce"] == start + 1


def test_a_timeout_raises_the_named_error_and_waiting_again_finds_the_transaction(deployed: Deployed) -> None:
    sender = ministry(deployed, receipt_timeout=0.5)
    with unmined(deployed.w3):
        sent = sender.send(deployed.registry.functions.issue(issue_requests(deployed, firms=1, seed=37)[0]))
        with pytest.raises(TransactionNotMined, match=r"^transaction 0x[0-9a-f]{64} of 0x\w+ not mined after 0.5 s$"):
            sender.wait(sent)
        deployed.w3.provider.make_request("evm_mine", [])  # type: ignore[arg-type]
        assert sender.wait(sent)["status"] == 1
