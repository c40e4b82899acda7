"""The ledger on a network of authorities (``ledger.chain.network``): three geth sealers (the ministry and two
provincial departments) and the non-sealing node the indexer reads, a block every second. What only a real network
does: blocks that take time and confirmations, a sealer that stops, a node the client must fail over from, a sealer
cut off from the rest that builds a branch of its own and loses it."""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Collection
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ledger.chain.network import READER, DevelopmentNetwork, head
from ledger.index.indexer import Indexer
from ledger.store.models import Certificate, Checkpoint
from ledger.wiring import Ledger
from tests.index_helpers import projection_snapshot
from tests.network.conftest import take, through
from wallet.devkeys import NETWORK_CHAIN_ID, dev_account


def issue(ledger: Ledger, requests: list[dict[str, Any]]) -> tuple[list[str], int]:
    """Issue the certificates of ``requests`` as the ministry in one batch: their numbers and the block they are in."""
    sender = ledger.sender(dev_account("ministry", NETWORK_CHAIN_ID))
    receipt = sender.transact(ledger.registry.functions.issueBatch(requests))
    return [r["number"] for r in requests], receipt["blockNumber"]


def indexed_numbers(indexer: Indexer) -> set[str]:
    with Session(indexer.engine) as session:
        return set(session.scalars(select(Certificate.number)))


def await_indexed(indexer: Indexer, numbers: Collection[str], timeout: float = 60.0) -> None:
    """Sync until every certificate of ``numbers`` is in the read model."""
    deadline = time.monotonic() + timeout
    while not set(numbers) <= indexed_numbers(indexer):
        assert time.monotonic() < deadline, f"{set(numbers) - indexed_numbers(indexer)} not indexed"
        indexer.sync()
        time.sleep(0.2)


def checkpoint_block(indexer: Indexer) -> int:
    with Session(indexer.engine) as session:
        checkpoint = session.scalars(select(Checkpoint)).first()
        return checkpoint.block_number if checkpoint else -1


def test_an_act_sent_through_a_sealer_is_indexed_once_it_has_its_confirmations(
    network: DevelopmentNetwork, on_network: Ledger, unissued: deque[dict[str, Any]]
) -> None:
    numbers, block = issue(through(on_network, network.nodes["zhejiang"].url), take(unissued, 2))
    indexer = on_network.indexer()
    assert indexer.confirmations == 2  # the development network's default
    seen = []
    deadline = time.monotonic() + 30
    while not set(numbers) <= indexed_numbers(indexer):
        assert time.monotonic() < deadline, seen
        report = indexer.sync()
        seen.append((report.to_block, head(network.nodes[READER])))
        time.sleep(0.2)
    # never read beyond its confirmations, and the act came with the first sync whose safe head reached its block
    assert seen[-1][0] >= block
    assert all(to_block < block for to_block, _ in seen[:-1])
    assert all(to_block <= node_head - 2 for to_block, node_head in seen)


def test_blocks_go_on_without_one_sealer_and_the_client_fails_over_from_its_node(
    network: DevelopmentNetwork, on_network: Ledger, unissued: deque[dict[str, Any]]
) -> None:
    beijing, reader = network.nodes["beijing"], network.nodes[READER]
    beijing.stop()
    try:
        _, block = issue(on_network, take(unissued, 1))  # two sealers of three still seal
        network.await_blocks(block + 2, nodes=[READER, "ministry", "zhejiang"])
        reader.stop()  # the node the ledger reads through
        try:
            numbers, block = issue(on_network, take(unissued, 1))
            assert on_network.w3.provider.endpoint_uri == network.nodes["ministry"].url  # type: ignore[attr-defined]
            await_indexed(on_network.indexer(), numbers)
        finally:
            reader.start()
    finally:
        beijing.start()
    network.await_peers()
    network.await_blocks(head(network.nodes["ministry"]))  # both caught up with the chain they missed


def test_a_branch_sealed_apart_is_orphaned_on_healing_and_never_indexed_past_the_confirmations(
    network: DevelopmentNetwork, on_network: Ledger, unissued: deque[dict[str, Any]], tmp_path: Path
) -> None:
    """The reader and one sealer are cut off from the other two. The lone sealer seals one block with an act in it
    (Clique lets a sealer of three sign at most every other block, so it can seal no more alone); the two others go
    on. On healing the longer branch wins: the indexer that waits for two confirmations never read the orphaned
    block; one that waits for none read it, rolls it back, and ends equal to a rebuild from the winning chain."""
    cautious = on_network.indexer()
    eager = Ledger(on_network.rpc_url, on_network.record_path, f"sqlite:///{tmp_path / 'eager.db'}").indexer(
        confirmations=0
    )
    lone, majority = "beijing", ["ministry", "zhejiang"]
    apart = through(on_network, network.nodes[lone].url)
    requests = take(unissued, 1)
    numbers = {r["number"] for r in requests}
    network.sealing(lone, on=False)  # until the act is in its pool: its one block alone must carry it
    try:
        _await_sealing_stopped(network, lone)
        network.partition([READER, lone])
        assert (
            network.signer(lone, head(network.nodes[lone])) != dev_account(f"sealer-{lone}", NETWORK_CHAIN_ID).address
        )
        ministry = apart.sender(dev_account("ministry", NETWORK_CHAIN_ID))
        tx_hash = ministry.send(apart.registry.functions.issueBatch(requests))
        network.sealing(lone, on=True)
        orphan_block = ministry.wait(tx_hash)["blockNumber"]
        network.await_blocks(orphan_block, nodes=[READER])
        eager.sync()
        assert numbers <= indexed_numbers(eager)  # read from a block about to be orphaned
        cautious.sync()
        assert not numbers & indexed_numbers(cautious) and checkpoint_block(cautious) < orphan_block
        network.await_blocks(orphan_block + 3, nodes=majority)
    finally:
        network.sealing(lone, on=True)
        network.heal()
    network.await_blocks(head(network.nodes[majority[0]]))  # the reader's branch cannot grow: it has the other
    rolled_back_to = eager.sync().rolled_back_to
    assert rolled_back_to is not None and rolled_back_to < orphan_block
    # the act is mined again on the winning chain: a node puts an orphaned block's transactions back in its pool
    await_indexed(cautious, numbers)
    rebuilt = Ledger(on_network.rpc_url, on_network.record_path, f"sqlite:///{tmp_path / 'rebuilt.db'}").indexer()
    network.pause()  # one head for both reads
    try:
        rebuilt.confirmations = eager.confirmations = 0
        rebuilt.sync()
        eager.sync()
        assert checkpoint_block(eager) == checkpoint_block(rebuilt)
        eager_rows, rebuilt_rows = projection_snapshot(eager.engine), projection_snapshot(rebuilt.engine)
        # the block hashes each remembers are where each sync ended, so they differ; all are the winning chain's
        remembered = eager_rows.pop("blocks") + rebuilt_rows.pop("blocks")
        assert all(on_network.w3.eth.get_block(n)["hash"].to_0x_hex() == h for n, h, _ in remembered)
        assert eager_rows == rebuilt_rows
    finally:
        network.resume()


def test_every_node_restarted_keeps_the_chain_and_the_indexer_resumes_where_it_was(
    network: DevelopmentNetwork, on_network: Ledger, unissued: deque[dict[str, Any]]
) -> None:
    numbers, block = issue(on_network, take(unissued, 1))
    indexer = on_network.indexer()
    await_indexed(indexer, numbers)
    checkpoint, block_hash = checkpoint_block(indexer), on_network.w3.eth.get_block(block)["hash"]
    network.stop()
    network.start()  # every node from its data folder, peered again, sealing again
    assert on_network.w3.eth.get_block(block)["hash"] == block_hash  # the chain the nodes had, not a new one
    report = indexer.sync()
    assert report.rolled_back_to is None and report.from_block == checkpoint + 1  # on from its checkpoint
    assert all(on_network.client().is_valid(number) for number in numbers)
    later, _ = issue(on_network, take(unissued, 1))  # the restarted network seals acts again
    await_indexed(indexer, later)


def _await_sealing_stopped(network: DevelopmentNetwork, name: str, timeout: float = 30.0) -> None:
    """After ``network.sealing(name, on=False)``, until node ``name`` may seal the next block alone: its head is
    another sealer's (a sealer of three may not sign two blocks in a row), and two blocks have come since, so a seal
    it had under way when it stopped is no longer the head's parent."""
    node, own = network.nodes[name], dev_account(f"sealer-{name}", NETWORK_CHAIN_ID).address
    stopped_at = head(node)
    deadline = time.monotonic() + timeout
    while (latest := head(node)) < stopped_at + 2 or network.signer(name, latest) == own:
        assert time.monotonic() < deadline
        time.sleep(0.1)
