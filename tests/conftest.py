"""Fixtures: a real anvil node on a free port, and a fresh registry deployment per test."""

from __future__ import annotations

import os
import uuid
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from eth_account import Account
from eth_account.signers.local import LocalAccount
from flask.testing import FlaskClient
from sqlalchemy import Connection, Engine, create_engine, event, make_url, text
from web3 import Web3
from web3.contract import Contract

from api import create_app
from ledger.certificates.documents import Document
from ledger.chain.artifacts import Artifact, load_artifact
from ledger.chain.deployment import DeploymentRecord, ensure_demo_deployment
from ledger.chain.localchain import LocalChain, free_port
from ledger.chain.node import connect
from ledger.chain.reverts import RevertDecoder
from ledger.chain.transactions import TransactionSender
from ledger.index.indexer import Indexer
from ledger.store.engine import make_engine, migrate
from ledger.vault.database import Vault
from ledger.wiring import Ledger
from tests.register_helpers import firm_issue, planner_issue, register_for
from wallet.devkeys import dev_account

# The public development keys need this flag as well as chain id 31337 (the Makefile sets it for make up and make
# test); set here so that pytest run by hand, and every command the tests start, may use them.
os.environ["LEDGER_DEVELOPMENT"] = "1"


@pytest.fixture(autouse=True)
def dossier_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Each test's own dossier store (LEDGER_DOSSIER_DIR): nothing a test stores reaches var/dossiers."""
    root = tmp_path / "dossiers"
    monkeypatch.setenv("LEDGER_DOSSIER_DIR", str(root))
    return root


@pytest.fixture(autouse=True)
def vault_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Each test's own vault database and key file (VAULT_URL, LEDGER_VAULT_KEY_FILE), for this process and every
    command it starts: nothing a test seals reaches var/vault.db, and no key of var/ opens a test's vault."""
    monkeypatch.setenv("VAULT_URL", f"sqlite:///{tmp_path / 'vault.db'}")
    monkeypatch.setenv("LEDGER_VAULT_KEY_FILE", str(tmp_path / "vault.key"))
    monkeypatch.delenv("LEDGER_VAULT_KEY", raising=False)
    return tmp_path


@pytest.fixture(autouse=True)
def rate_limit_counts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Each test's own rate-limit counts (RATELIMIT_STORAGE_URI, the file every worker maps): a test's requests
    never spend another's window."""
    counts = tmp_path / "ratelimits.mmap"
    monkeypatch.setenv("RATELIMIT_STORAGE_URI", f"mmap://{counts}")
    return counts


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
    """A fresh deployment with the demo roles, wired as the CLI and the API wire one (``ledger.wiring``), and a
    sender for each development role."""

    ledger: Ledger

    @property
    def w3(self) -> Web3:
        return self.ledger.w3

    @property
    def record(self) -> DeploymentRecord:
        return self.ledger.record

    @property
    def record_path(self) -> Path:
        return self.ledger.record_path

    @property
    def registry(self) -> Contract:
        return self.ledger.registry

    @property
    def credit(self) -> Contract:
        return self.ledger.credit

    @property
    def licensing(self) -> Contract:
        return self.ledger.licensing

    @property
    def decoder(self) -> RevertDecoder:
        return self.ledger.decoder

    def sender(self, role: str) -> TransactionSender:
        return self.ledger.sender(dev_account(role, self.w3.eth.chain_id))

    def indexer(self, engine: Engine) -> Indexer:
        """The deployment's indexer writing into ``engine``."""
        return Ledger(self.ledger.rpc_url, self.record_path, engine=engine).indexer()


@pytest.fixture
def deployed(anvil: LocalChain, artifact: Artifact, tmp_path: Path) -> Deployed:
    ledger = Ledger(anvil.url, tmp_path / "deployment.json", f"sqlite:///{tmp_path / 'ledger.db'}")
    ensure_demo_deployment(ledger.w3, ledger.record_path, artifact)
    return Deployed(ledger)


# Every engine that has opened a connection, whoever built it (the API's Services, a Ledger, a Vault, the indexer, a
# command run in-process): a test's fresh PostgreSQL database is dropped only once none of them holds a connection.
_connected: weakref.WeakSet[Engine] = weakref.WeakSet()


@event.listens_for(Engine, "engine_connect")
def _remember_engine(connection: Connection) -> None:
    _connected.add(connection.engine)


@contextmanager
def fresh_database(tmp_path: Path, name: str) -> Iterator[str]:
    """The URL of a new, empty database: a SQLite file ``name``.db, or a new database on the PostgreSQL server
    that TEST_POSTGRES_URL names (``make test-postgres``: scripts/postgres.py), dropped after, once every engine of
    this process that reached it has been disposed (the app's and the ledger's live as long as they do, pooled)."""
    server_url = os.environ.get("TEST_POSTGRES_URL")
    if not server_url:
        yield f"sqlite:///{tmp_path / name}.db"
        return
    database = f"{name}_test_{uuid.uuid4().hex[:12]}"
    server = create_engine(server_url, isolation_level="AUTOCOMMIT")
    with server.connect() as connection:
        connection.execute(text(f"CREATE DATABASE {database}"))
    try:
        yield make_url(server_url).set(database=database).render_as_string(hide_password=False)
    finally:
        for engine in list(_connected):
            if engine.url.database == database:
                engine.dispose()
        with server.connect() as connection:
            connection.execute(text(f"DROP DATABASE {database}"))
        server.dispose()


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    """A fresh, migrated read model per test (SQLite, or PostgreSQL with TEST_POSTGRES_URL: ``fresh_database``)."""
    with fresh_database(tmp_path, "ledger") as url:
        engine = make_engine(url)
        migrate(engine)
        yield engine
        engine.dispose()


@pytest.fixture
def vault(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Vault]:
    """A fresh vault per test, beside the read model (``fresh_database``); VAULT_URL names it, so the commands a
    test starts seal into it too. Its key file is ``vault_files``'."""
    with fresh_database(tmp_path, "vault") as url:
        monkeypatch.setenv("VAULT_URL", url)
        vault = Vault.at(url)
        yield vault
        vault.engine.dispose()


@pytest.fixture
def ledger(deployed: Deployed, engine: Engine, vault: Vault) -> list[str]:
    """``ledger`` command options for this test's chain, deployment, read model and vault."""
    return [
        "--rpc-url",
        deployed.w3.provider.endpoint_uri,
        "--record",
        str(deployed.record_path),
        "--database-url",
        engine.url.render_as_string(hide_password=False),
        "--vault-url",
        vault.engine.url.render_as_string(hide_password=False),
    ]


@pytest.fixture
def indexer(deployed: Deployed, engine: Engine) -> Indexer:
    return deployed.indexer(engine)


@dataclass
class Served:
    """The API over a small synthetic register issued on a fresh registry and indexed: a firm per grade with
    its planners, the first firm held by ``holder`` (a key that can answer presentations)."""

    deployed: Deployed
    engine: Engine
    indexer: Indexer
    client: FlaskClient
    firms: list[tuple[Document, dict[str, Any]]]
    planners: list[tuple[Document, dict[str, Any], bytes]]
    identity_numbers: list[str]
    holder: LocalAccount

    def app(self, **overrides: Any) -> FlaskClient:
        """Another client of the same deployment, with settings changed."""
        return create_app({**self._config(), **overrides}).test_client()

    def _config(self) -> dict[str, Any]:
        return api_config(self.deployed, self.engine)


def api_config(deployed: Deployed, engine: Engine) -> dict[str, Any]:
    return {
        "TESTING": True,
        "LEDGER_RPC_URL": deployed.w3.provider.endpoint_uri,  # type: ignore[attr-defined]
        "LEDGER_DEPLOYMENT": str(deployed.record_path),
        "DATABASE_URL": engine.url.render_as_string(hide_password=False),
        "API_TOKEN_SECRET": "test-only-secret",
        "PUBLIC_ORIGIN": "http://verify.test",
        "RATE_LIMIT_ANONYMOUS": "100000/minute",
        "RATE_LIMIT_SIGNED_IN": "100000/minute",
        "RATE_LIMIT_AUTH": "100000/minute",
        "RELAYER_ACCOUNT": dev_account("relayer", deployed.w3.eth.chain_id),
        "VERDICTS_PRELOAD": False,  # each test says what the node is asked; test_verdicts tests the preload
    }


@pytest.fixture
def served(deployed: Deployed, engine: Engine, indexer: Indexer, request: pytest.FixtureRequest) -> Served:
    """Four firms, or as many as an indirect parameter asks (the credit model marks a factor significant only in a
    population of six firms or more)."""
    register = register_for(deployed.w3, firms=getattr(request, "param", 4))
    holder = Account.create()
    firms = [firm_issue(row) for row in register.firms]
    firms[0][1]["holder"] = holder.address
    planners = [planner_issue(row) for row in register.planners]
    issue_batch = deployed.registry.functions.issueBatch
    deployed.sender("ministry").transact(issue_batch([request for _, request in firms]))
    deployed.sender("registrar").transact(issue_batch([request for _, request, _ in planners]))
    indexer.sync()
    client = create_app(api_config(deployed, engine)).test_client()
    identity_numbers = [row["公民身份号码"] for row in register.planners]
    return Served(deployed, engine, indexer, client, firms, planners, identity_numbers, holder)
