"""What the API's views share, opened once per worker: the read model, the deployment, and (lazily) the chain.

The read model answers every ordinary question; the chain is contacted only for ``?source=chain``, sign-in roles,
acts and readiness, so a node that is briefly away does not stop verification from the index.
"""

from __future__ import annotations

import os
import threading
from functools import cached_property
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from eth_account.signers.local import LocalAccount
from flask import Flask, current_app
from sqlalchemy import Engine
from web3 import Web3
from web3.contract import Contract

from ledger.certificates.client import RegistryClient
from ledger.certificates.queries import holder_lookup
from ledger.chain.artifacts import Artifact, load_artifact
from ledger.chain.deployment import DeploymentRecord
from ledger.chain.events import EventDecoder
from ledger.chain.node import connect, registry_at
from ledger.chain.reverts import RevertDecoder
from ledger.chain.transactions import TransactionSender
from ledger.errors import DeploymentError
from ledger.relay import ActRelay
from ledger.store.engine import make_engine, migrate
from ledger.store.nonces import DatabaseNonces
from wallet.devkeys import dev_account, is_local_chain
from wallet.keystore import KeyStore, keystore_dir
from wallet.passwords import read_password
from wallet.presentation import PresentationVerifier
from wallet.signatures import Web3ContractWallets
from wallet.siwe import SiweVerifier
from wallet.typed_acts import Domain

EXTENSION = "ledger"


class Services:
    """One worker's connections. The chain client is built on first use and kept; building it again after a
    failure is what lets the API recover when the node comes back."""

    def __init__(self, config: dict[str, Any]) -> None:
        self.config = config
        self.engine: Engine = make_engine(config["DATABASE_URL"])
        migrate(self.engine)
        self.nonces = DatabaseNonces(self.engine)
        self.holder_lookup = holder_lookup(self.engine)
        self._chain_lock = threading.Lock()
        self._w3: Web3 | None = None

    # ---- deployment and chain ----

    @cached_property
    def artifact(self) -> Artifact:
        return load_artifact()

    @property
    def record(self) -> DeploymentRecord:
        """The deployment this API serves (read once; a missing record makes chain answers 503, not 500)."""
        record = self._record
        if record is None:
            raise DeploymentError(f"no registry deployment recorded in {self.config['LEDGER_DEPLOYMENT']}")
        return record

    @cached_property
    def _record(self) -> DeploymentRecord | None:
        return DeploymentRecord.read(Path(self.config["LEDGER_DEPLOYMENT"]))

    @property
    def w3(self) -> Web3:
        with self._chain_lock:
            if self._w3 is None:
                self._w3 = connect(self.config["LEDGER_RPC_URL"], timeout=self.config["CHAIN_TIMEOUT_SECONDS"])
            return self._w3

    @cached_property
    def registry(self) -> Contract:
        return registry_at(self.w3, self.record.address, self.artifact)

    @cached_property
    def decoder(self) -> RevertDecoder:
        return RevertDecoder(self.artifact.abi)

    @cached_property
    def event_topics(self) -> set[str]:
        return set(EventDecoder(self.artifact.abi).topics)

    def reader(self) -> RegistryClient:
        return RegistryClient(self.w3, self.registry)

    @cached_property
    def domain(self) -> Domain:
        return Domain(self.record.chain_id, self.record.address)

    # ---- identity ----

    @cached_property
    def siwe(self) -> SiweVerifier:
        origin = urlsplit(self.config["PUBLIC_ORIGIN"])
        return SiweVerifier(
            domain=origin.netloc,
            uri=self.config["PUBLIC_ORIGIN"],
            chain_id=self.record.chain_id,
            nonces=self.nonces,
            contract_wallets=_LazyContractWallets(self),
        )

    @cached_property
    def presentations(self) -> PresentationVerifier:
        return PresentationVerifier(
            domain=self.domain,
            audience=self.config["PRESENTATION_AUDIENCE"] or urlsplit(self.config["PUBLIC_ORIGIN"]).netloc,
            lookup=self.holder_lookup,
            nonces=self.nonces,
            contract_wallets=_LazyContractWallets(self),
        )

    @cached_property
    def relay(self) -> ActRelay:
        """The relayer that sends regulators' signed acts. Its key is configuration (RELAYER_ACCOUNT); the API
        never holds a regulator's key."""
        return ActRelay(self.registry, TransactionSender(self.w3, self._relayer_account(), self.decoder))

    def _relayer_account(self) -> LocalAccount:
        """RELAYER_ACCOUNT as given; else the keystore key RELAYER_KEY (password from WALLET_PASSWORD_FILE or
        WALLET_PASSWORD); else, on a local development chain only, the labelled development relayer."""
        if self.config["RELAYER_ACCOUNT"] is not None:
            return self.config["RELAYER_ACCOUNT"]
        chain_id = self.record.chain_id
        label = self.config["RELAYER_KEY"]
        if label:
            password_file = os.environ.get("WALLET_PASSWORD_FILE")
            password = read_password(file=Path(password_file) if password_file else None)
            return KeyStore(keystore_dir()).unlock(label, password, chain_id=chain_id)
        if is_local_chain(chain_id):
            return dev_account("relayer", chain_id)
        raise DeploymentError("no relayer key is configured (LEDGER_RELAYER_KEY): acts cannot be relayed")

    def forget_chain(self) -> None:
        """Drop the chain client after the node failed, so the next request connects afresh."""
        with self._chain_lock:
            self._w3 = None
        for name in ("registry", "relay"):
            self.__dict__.pop(name, None)


class _LazyContractWallets:
    """EIP-1271 checks through the node, connected only when a signature is not an ordinary key's."""

    def __init__(self, services: Services) -> None:
        self._services = services

    def is_contract(self, address: str) -> bool:
        return Web3ContractWallets(self._services.w3).is_contract(address)

    def is_valid_signature(self, address: str, digest: bytes, signature: bytes) -> bool:
        return Web3ContractWallets(self._services.w3).is_valid_signature(address, digest, signature)


def init_app(app: Flask) -> None:
    app.extensions[EXTENSION] = Services(app.config)


def services() -> Services:
    return current_app.extensions[EXTENSION]
