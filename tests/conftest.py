"""Fixtures: a real anvil node on a free port, and a fresh registry deployment per test."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, make_url, text
from web3 import Web3
from web3.contract import Contract

from ledger.artifacts import Artifact, load_artifact
from ledger.chain import connect, registry_at
from ledger.db import make_engine, migrate
from ledger.deployment import DeploymentRecord, ensure_demo_deployment
from ledger.errors import RevertDecoder
from ledger.indexer import Indexer
from ledger.localchain import LocalChain, free_port
from ledger.transactions import TransactionSender
from wallet.devkeys import dev_account


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
def engine(tmp_path: Path) -> Iterator[Engine]:
    """A fresh, migrated read model per test: a SQLite file, or a new database on the PostgreSQL server that
    TEST_POSTGRES_URL names (e.g. postgresql+psycopg://postgres@127.0.0.1:5432/postgres)."""
    server_url = os.environ.get("TEST_POSTGRES_URL")
    if not server_url:
        engine = make_engine(f"sqlite:///{tmp_path / 'ledger.db'}")
        migrate(engine)
        yield engine
        return
    name = f"ledger_test_{uuid.uuid4().hex[:12]}"
    server = create_engine(server_url, isolation_level="AUTOCOMMIT")
    with server.connect() as connection:
        connection.execute(text(f"CREATE DATABASE {name}"))
    engine = make_engine(make_url(server_url).set(database=name).render_as_string(hide_password=False))
    migrate(engine)
    yield engine
    engine.dispose()
    with server.connect() as connection:
        connection.execute(text(f"DROP DATABASE {name}"))
    server.dispose()


@pytest.fixture
def indexer(deployed: Deployed, engine: Engine) -> Indexer:
    return Indexer(
        deployed.w3,
        engine,
        address=deployed.record.address,
        abi=deployed.registry.abi,
        deployment_block=deployed.record.block_number,
    )
