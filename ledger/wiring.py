"""The one composition root: the CLI, the API and the tests build the chain, the deployment, both registries,
the read model, the vault and the indexer here, from the same settings, and nowhere else.

Everything is opened on first use and kept. The chain can be forgotten (``forget_chain``) after the node failed,
so that a long-lived process (an API worker) connects afresh once the node is back; a missing deployment record
raises ``DeploymentError`` only when something needs the chain, so the read model still answers without it.
"""

from __future__ import annotations

import threading
import time
from functools import cached_property
from pathlib import Path

from eth_account.signers.local import LocalAccount
from sqlalchemy import Engine
from web3 import Web3
from web3.contract import Contract

from ledger.certificates.audit import Auditor
from ledger.certificates.client import RegistryClient
from ledger.certificates.indexing import CertificateProjection
from ledger.chain.artifacts import CREDIT_REGISTRY, LICENSING_ACTS, LICENSING_REGISTRY, Artifact, load_artifact
from ledger.chain.deployment import DeploymentRecord, is_live
from ledger.chain.node import connect, registry_at
from ledger.chain.reverts import RevertDecoder
from ledger.chain.transactions import TransactionSender
from ledger.credit.acts import CreditClient
from ledger.credit.indexing import CreditProjection
from ledger.errors import DeploymentError
from ledger.index.indexer import Indexer
from ledger.index.projections import Registration
from ledger.licensing.client import LicensingClient
from ledger.licensing.dossiers import DossierStore
from ledger.licensing.indexing import LicensingProjection
from ledger.relay import ActRelay
from ledger.settings import deployment_record_path
from ledger.settings import rpc_url as configured_rpc_url
from ledger.store.engine import database_url as configured_database_url
from ledger.store.engine import make_engine, migrate
from ledger.vault.database import Vault
from ledger.vault.database import vault_url as configured_vault_url
from ledger.vault.moving import move_out_of, scrub
from wallet.typed_acts import Registry

_CHAIN_PARTS = ("registry", "credit", "licensing")  # built on the node connection


class Ledger:
    """One deployment of the ledger as a process sees it: node, deployment record, registries, read model, vault."""

    def __init__(
        self,
        rpc_url: str | None = None,
        record_path: Path | None = None,
        database_url: str | None = None,
        *,
        vault_url: str | None = None,
        engine: Engine | None = None,
        chain_timeout: float = 10.0,
    ) -> None:
        self.rpc_url = rpc_url or configured_rpc_url()
        self.record_path = record_path or deployment_record_path()
        self.database_url = database_url or configured_database_url()
        self.vault_url = vault_url or configured_vault_url()
        self.chain_timeout = chain_timeout
        if engine is not None:
            self.__dict__["engine"] = engine
        self._chain_lock = threading.Lock()
        self._w3: Web3 | None = None

    # ---- the read model ----

    @cached_property
    def engine(self) -> Engine:
        """The read model's engine, its schema brought up to date; vault rows an older layout kept in it are moved
        into the vault first (once), and the file is scrubbed of their clear bytes."""
        engine = make_engine(self.database_url)
        moved = move_out_of(engine, lambda: self.vault)
        migrate(engine)
        if moved:
            scrub(engine)
        return engine

    # ---- the vault ----

    @cached_property
    def vault(self) -> Vault:
        """The vault (personal values and salts, sealed) in its own database, which nothing of the read model's
        reaches."""
        return Vault.at(self.vault_url)

    @cached_property
    def dossiers(self) -> DossierStore:
        """The dossier store (LEDGER_DOSSIER_DIR): applicants' files, manifests and reviewers' checks."""
        return DossierStore()

    # ---- the chain and the deployment ----

    @property
    def w3(self) -> Web3:
        with self._chain_lock:
            if self._w3 is None:
                self._w3 = connect(self.rpc_url, timeout=self.chain_timeout)
            return self._w3

    def now(self) -> int:
        """Now, for a deadline the next block must meet: the later of the latest block's time and the clock (a chain
        that mines on demand may have last mined long ago; a test node's clock may have been moved ahead)."""
        return max(int(self.w3.eth.get_block("latest")["timestamp"]), int(time.time()))

    def forget_chain(self) -> None:
        """Drop the node connection and what was built on it; the next use connects afresh."""
        with self._chain_lock:
            self._w3 = None
        for name in _CHAIN_PARTS:
            self.__dict__.pop(name, None)

    @cached_property
    def artifact(self) -> Artifact:
        return load_artifact()

    @cached_property
    def credit_artifact(self) -> Artifact:
        return load_artifact(CREDIT_REGISTRY)

    @cached_property
    def licensing_artifact(self) -> Artifact:
        return load_artifact(LICENSING_REGISTRY)

    @cached_property
    def licensing_acts_artifact(self) -> Artifact:
        return load_artifact(LICENSING_ACTS)

    @property
    def record(self) -> DeploymentRecord:
        """The deployment this process serves (read once; missing → ``DeploymentError``)."""
        record = self._record
        if record is None:
            raise DeploymentError(f"no registry deployment recorded in {self.record_path}: run `ledger deploy` first")
        return record

    @cached_property
    def _record(self) -> DeploymentRecord | None:
        return DeploymentRecord.read(self.record_path)

    def check_live(self) -> Ledger:
        """Refuses a record whose contracts are not (or no longer) on this chain, e.g. after a chain reset."""
        if not is_live(self.w3, self.record, self.artifact, self.credit_artifact, self.licensing_artifact):
            raise DeploymentError(f"no live registry deployment recorded in {self.record_path}: run `ledger deploy`")
        return self

    @cached_property
    def registry(self) -> Contract:
        """The certificate registry."""
        return registry_at(self.w3, self.record.address, self.artifact)

    @cached_property
    def credit(self) -> Contract:
        """The credit registry (credit records, restorations, inspections)."""
        return registry_at(self.w3, self.record.credit_address, self.credit_artifact)

    @cached_property
    def licensing(self) -> Contract:
        """The licensing registry (applications through to their decision, four-eyes revocations)."""
        return registry_at(self.w3, self.record.licensing_address, self.licensing_artifact)

    @cached_property
    def licensing_acts(self) -> Contract:
        """The licensing registry's forwarder of signed steps (LicensingActs), which the registry created and
        names as its one trusted forwarder: read from the chain, not the record."""
        address = self.licensing.functions.trustedForwarder().call()
        return registry_at(self.w3, address, self.licensing_acts_artifact)

    @property
    def registries(self) -> dict[Registry, Contract]:
        """The contract that takes each domain's signed acts (``wallet.typed_acts.ACTS`` says which act goes
        where): the licensing steps go to the licensing registry's forwarder."""
        return {
            Registry.CERTIFICATES: self.registry,
            Registry.CREDIT: self.credit,
            Registry.LICENSING: self.licensing_acts,
        }

    @cached_property
    def decoder(self) -> RevertDecoder:
        """Reverts of any registry as named exceptions."""
        return RevertDecoder(
            self.artifact.abi
            + self.credit_artifact.abi
            + self.licensing_artifact.abi
            + self.licensing_acts_artifact.abi
        )

    # ---- acting ----

    def sender(self, account: LocalAccount) -> TransactionSender:
        return TransactionSender(self.w3, account, self.decoder)

    def client(self, account: LocalAccount | None = None, confirmations: int = 1) -> RegistryClient:
        """The certificate registry's typed client; without an account it only reads."""
        sender = self.sender(account) if account is not None else None
        return RegistryClient(self.w3, self.registry, sender, confirmations=confirmations)

    def credit_client(self, account: LocalAccount) -> CreditClient:
        return CreditClient(self.credit, self.sender(account))

    def licensing_client(self, account: LocalAccount) -> LicensingClient:
        return LicensingClient(self.licensing, self.sender(account))

    def relay(self, relayer: LocalAccount) -> ActRelay:
        """Signed acts of either registry, sent from ``relayer`` (who pays gas and holds no role)."""
        return ActRelay(self.registries, self.sender(relayer))

    # ---- the index ----

    def auditor(self) -> Auditor:
        """The continuous audit of the read model against the certificate registry (``ledger.certificates.audit``)."""
        indexer = self.indexer()
        return Auditor(
            self.w3, self.registry, self.engine, lambda start, end: indexer.logged_ids("CertificateIssued", start, end)
        )

    def indexer(self, confirmations: int | None = None) -> Indexer:
        """The indexer over the three registries: the one place a contract's events are registered."""
        record = self.record
        registrations = [
            Registration(record.address, self.artifact.abi, CertificateProjection()),
            Registration(record.credit_address, self.credit_artifact.abi, CreditProjection()),
            Registration(record.licensing_address, self.licensing_artifact.abi, LicensingProjection(self.dossiers)),
        ]
        return Indexer(
            self.w3, self.engine, registrations, deployment_block=record.block_number, confirmations=confirmations
        )
