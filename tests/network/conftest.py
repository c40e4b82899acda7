"""The network tier (`make test-network`): the same deployments, indexer and API as the chain tier, on geth
(the client a network of authorities runs: `make geth`) instead of anvil. ``deployed`` is overridden here, so every
fixture built on it (``served``, ``indexer``, ``ledger``) runs on a geth Clique node sealing on demand.

The scenarios of a real network (``test_network``, ``test_transactions``) share one ``network`` of authorities
(``ledger.chain.network``: three sealers and a reader, a block every second) and one deployment on it, each
reading it into a read model of its own (``on_network``) and issuing firms no other scenario issues
(``unissued``)."""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from ledger.chain.artifacts import Artifact
from ledger.chain.deployment import ensure_demo_deployment
from ledger.chain.geth import CliqueNode, development_node
from ledger.chain.localchain import LOCAL_CHAIN_ID
from ledger.chain.network import DevelopmentNetwork
from ledger.wiring import Ledger
from tests.conftest import Deployed
from tests.register_helpers import firm_issue, register_for
from wallet.devkeys import dev_account, dev_accounts

PERIOD = 1  # seconds between the network's blocks


@pytest.fixture(scope="session")
def geth(tmp_path_factory: pytest.TempPathFactory) -> Iterator[CliqueNode]:
    sealer = dev_account("ministry", LOCAL_CHAIN_ID)
    node = development_node(tmp_path_factory.mktemp("geth"), dev_accounts(LOCAL_CHAIN_ID), sealer=sealer).start()
    yield node
    node.stop()


@pytest.fixture
def deployed(geth: CliqueNode, artifact: Artifact, tmp_path: Path) -> Deployed:
    ledger = Ledger(geth.url, tmp_path / "deployment.json", f"sqlite:///{tmp_path / 'ledger.db'}")
    ensure_demo_deployment(ledger.w3, ledger.record_path, artifact)
    return Deployed(ledger)


@pytest.fixture(scope="package")
def network(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DevelopmentNetwork]:
    network = DevelopmentNetwork(tmp_path_factory.mktemp("network"), period=PERIOD).start()
    yield network
    network.stop()


@pytest.fixture(scope="package")
def deployment(network: DevelopmentNetwork, artifact: Artifact, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One deployment for the scenarios (deploying takes some twenty blocks): its record."""
    record = tmp_path_factory.mktemp("deployment") / "deployment.json"
    ensure_demo_deployment(Ledger(",".join(network.rpc_urls), record, "sqlite://").w3, record, artifact)
    return record


@pytest.fixture
def on_network(network: DevelopmentNetwork, deployment: Path, tmp_path: Path) -> Ledger:
    """The deployment, read through the network's node list (the reader first), into a read model of its own."""
    return Ledger(",".join(network.rpc_urls), deployment, f"sqlite:///{tmp_path / 'ledger.db'}")


def through(ledger: Ledger, url: str) -> Ledger:
    """The same deployment and read model, sending through the node at ``url``."""
    return Ledger(url, ledger.record_path, engine=ledger.engine)


@pytest.fixture(scope="package")
def unissued(deployment: Path, network: DevelopmentNetwork) -> deque[dict[str, Any]]:
    """Issue requests for firms of one register, each taken by one scenario (the deployment is shared)."""
    w3 = Ledger(network.rpc_urls[0], deployment, "sqlite://").w3
    return deque(firm_issue(row)[1] for row in register_for(w3, firms=12).firms)


def take(unissued: deque[dict[str, Any]], firms: int) -> list[dict[str, Any]]:
    return [unissued.popleft() for _ in range(firms)]
