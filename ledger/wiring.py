"""Everything a command needs, opened once from configuration: the chain, the deployment, the read model."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from eth_account.signers.local import LocalAccount
from sqlalchemy import Engine
from web3 import Web3
from web3.contract import Contract

from ledger.certificates.client import RegistryClient
from ledger.chain.artifacts import CREDIT_REGISTRY, Artifact, load_artifact
from ledger.chain.deployment import DeploymentRecord, is_live
from ledger.chain.node import connect, registry_at
from ledger.chain.reverts import RevertDecoder
from ledger.chain.transactions import TransactionSender
from ledger.errors import DeploymentError
from ledger.index.indexer import Indexer
from ledger.settings import deployment_record_path
from ledger.store.engine import make_engine, migrate


@dataclass
class Runtime:
    w3: Web3
    record: DeploymentRecord
    artifact: Artifact
    registry: Contract
    engine: Engine
    credit_artifact: Artifact

    @classmethod
    def open(
        cls, rpc_url: str | None = None, record_path: Path | None = None, database_url: str | None = None
    ) -> Runtime:
        """Connect, check the deployment is live on this chain, and bring the database schema up to date."""
        w3 = connect(rpc_url)
        artifact, credit = load_artifact(), load_artifact(CREDIT_REGISTRY)
        path = record_path or deployment_record_path()
        record = DeploymentRecord.read(path)
        if record is None or not is_live(w3, record, artifact, credit):
            raise DeploymentError(f"no live registry deployment recorded in {path}: run `ledger deploy` first")
        engine = make_engine(database_url)
        migrate(engine)
        return cls(w3, record, artifact, registry_at(w3, record.address, artifact), engine, credit)

    @property
    def credit(self) -> Contract:
        """The credit registry (credit records, restorations, inspections)."""
        return registry_at(self.w3, self.record.credit_address, self.credit_artifact)

    def indexer(self, confirmations: int | None = None) -> Indexer:
        return Indexer(
            self.w3,
            self.engine,
            address=self.record.address,
            abi=self.artifact.abi,
            deployment_block=self.record.block_number,
            credit_address=self.record.credit_address,
            credit_abi=self.credit_artifact.abi,
            confirmations=confirmations,
        )

    def sender(self, account: LocalAccount) -> TransactionSender:
        return TransactionSender(self.w3, account, RevertDecoder(self.artifact.abi + self.credit_artifact.abi))

    def client(self, account: LocalAccount | None = None, confirmations: int = 1) -> RegistryClient:
        sender = self.sender(account) if account is not None else None
        return RegistryClient(self.w3, self.registry, sender, confirmations=confirmations)
