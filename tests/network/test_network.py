"""The ledger on a network of authorities (``ledger.chain.network``): three geth sealers (the ministry and two
provincial departments) and the non-sealing node the indexer reads, a block every second. What only a real network
does: blocks that take time and confirmations, a sealer that stops, a node the client must fail over from."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from ledger.chain.artifacts import Artifact
from ledger.chain.deployment import ensure_demo_deployment
from ledger.chain.network import READER, DevelopmentNetwork, head
from ledger.index.indexer import Indexer
from ledger.store.models import Certificate
from ledger.wiring import Ledger
from tests.register_helpers import firm_issue, register_for
from wallet.devkeys import NETWORK_CHAIN_ID, dev_account

PERIOD = 1


@pytest.fixture(scope="module")
def network(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DevelopmentNetwork]:
    network = DevelopmentNetwork(tmp_path_factory.mktemp("network"), period=PERIOD).start()
    yield network
    network.stop()


@pytest.fixture
def ledger(network: DevelopmentNetwork, artifact: Artifact, tmp_path: Path) -> Ledger:
    """A deployment on the network, read through its node list (the reader first)."""
    ledger = Ledger(",".join(network.rpc_urls), tmp_path / "deployment.json", f"sqlite:///{tmp_path / 'ledger.db'}")
    ensure_demo_deployment(ledger.w3, ledger.record_path, artifact)
    return ledger


def through(ledger: Ledger, url: str) -> Ledger:
    """The same deployment and read model, sending through the node at ``url``."""
    return Ledger(url, ledger.record_path, engine=ledger.engine)


def issue(ledger: Ledger, firms: int, seed: int) -> tuple[list[str], int]:
    """Issue ``firms`` certificates as the ministry in one batch: their numbers and the block they are in."""
    requests = [firm_issue(row)[1] for row in register_for(ledger.w3, firms=firms, seed=seed).firms]
    sender = ledger.sender(dev_account("ministry", NETWORK_CHAIN_ID))
    receipt = sender.transact(ledger.registry.functions.issueBatch(requests))
    return [r["number"] for r in requests], receipt["blockNumber"]


def indexed_numbers(indexer: Indexer) -> set[str]:
    with Session(indexer.engine) as session:
        return set(session.scalars(select(Certificate.number)))


def test_an_act_sent_through_a_sealer_is_indexed_once_it_has_its_confirmations(
    network: DevelopmentNetwork, ledger: Ledger
) -> None:
    numbers, block = issue(through(ledger, network.nodes["zhejiang"].url), firms=2, seed=11)
    indexer = ledger.indexer()
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
    network: DevelopmentNetwork, ledger: Ledger
) -> None:
    beijing, reader = network.nodes["beijing"], network.nodes[READER]
    beijing.stop()
    try:
        _, block = issue(ledger, firms=1, seed=12)  # two sealers of three still seal
        network.await_blocks(block + 2, nodes=[READER, "ministry", "zhejiang"])
        reader.stop()  # the node the ledger reads through
        try:
            numbers, block = issue(ledger, firms=1, seed=13)
            assert ledger.w3.provider.endpoint_uri == network.nodes["ministry"].url  # type: ignore[attr-defined]
            indexer = ledger.indexer()
            deadline = time.monotonic() + 30
            while not set(numbers) <= indexed_numbers(indexer):
                assert time.monotonic() < deadline
                indexer.sync()
                time.sleep(0.2)
        finally:
            reader.start()
    finally:
        beijing.start()
    network.await_peers()
    network.await_blocks(head(network.nodes["ministry"]))  # both caught up with the chain they missed
