"""Fixtures: a real anvil node on a free port, and a fresh registry deployment per test."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import Engine
from web3 import Web3
from web3.contract import Contract

from ledger.artifacts import Artifact, load_artifact
from ledger.chain import connect, registry_at
from ledger.db import make_engine, migrate
from ledger.deployment import DeploymentRecord, ensure_demo_deployment
from ledger.devkeys import dev_account
from ledger.errors import RevertDecoder
from ledger.indexer import Indexer
from ledger.localchain import LocalChain, free_port
from ledger.transactions import TransactionSender


@pytest.fixture(scope="session")
def artifact() -> Artifact:
    return load_artifact()


@pytest.fixture(scope="session")
def anvil(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalChain]:
    chain = LocalChain(free_port(), tmp_path_factory.mktemp("anvil") / "state.json").start()
    yield chain
    chain.stop()


@pytest.fixture(scope="session")
def w3(anvil: LocalChain) -> Web3:
    return connect(anvil.url)


@dataclass
class Deployed:
    """A fresh registry with the demo roles, and a sender for each development role."""

    w3: Web3
    record: DeploymentRecord
    record_path: Path
    registry: Contract
    decoder: RevertDecoder

    def sender(self, role: str) -> TransactionSender:
        return TransactionSender(self.w3, dev_account(role, self.w3.eth.chain_id), self.decoder)


@pytest.fixture
def deployed(w3: Web3, artifact: Artifact, tmp_path: Path) -> Deployed:
    record_path = tmp_path / "deployment.json"
    record, _ = ensure_demo_deployment(w3, record_path, artifact)
    return Deployed(w3, record, record_path, registry_at(w3, record.address, artifact), RevertDecoder(artifact.abi))


@pytest.fixture
def engine(tmp_path: Path) -> Engine:
    """A fresh read model (SQLite file, migrated) per test."""
    engine = make_engine(f"sqlite:///{tmp_path / 'ledger.db'}")
    migrate(engine)
    return engine


@pytest.fixture
def indexer(deployed: Deployed, engine: Engine) -> Indexer:
    return Indexer(
        deployed.w3,
        engine,
        address=deployed.record.address,
        abi=deployed.registry.abi,
        deployment_block=deployed.record.block_number,
    )
