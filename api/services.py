"""What the API's views share, opened once per worker: the read model, the deployment, and (lazily) the chain.

The read model answers every ordinary question, and the chain confirms every verdict (``verdicts``: readings kept
until a registry log names their certificate, so an idle chain is asked nothing twice).
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import os
import threading
from collections.abc import Sequence
from functools import cached_property
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from eth_account.signers.local import LocalAccount
from flask import Flask, current_app
from sqlalchemy.exc import SQLAlchemyError

from ledger.certificates.histories import logged_histories
from ledger.certificates.indexing import CERTIFICATE_EVENTS
from ledger.certificates.projection import Row
from ledger.certificates.queries import all_ids, holder_lookup, index_status
from ledger.certificates.verdicts import Reading, VerdictCache
from ledger.chain.events import EventDecoder
from ledger.errors import ChainUnavailable
from ledger.licensing.projection import APPLICATION_EVENTS
from ledger.relay import ActRelay
from ledger.store.nonces import DatabaseNonces
from ledger.wiring import Ledger
from wallet.devkeys import dev_account, dev_keys_allowed
from wallet.errors import KeystoreError
from wallet.keystore import KeyStore, keystore_dir
from wallet.passwords import read_password
from wallet.presentation import PresentationVerifier
from wallet.signatures import Web3ContractWallets
from wallet.siwe import SiweVerifier
from wallet.typed_acts import Domain

EXTENSION = "ledger"
HISTORIES_KEPT = 50_000  # logged histories kept per worker (the national register is some 17,000)
log = logging.getLogger(__name__)


class RelayUnavailable(Exception):
    """The relayer's key cannot be had (no key configured, a keystore that will not open): a fault of this server,
    not of the client. The message names the cause for the log; clients are told only that relaying is down."""


class Services(Ledger):
    """One worker's ledger (``ledger.wiring``: the chain client built on first use and kept, rebuilt after a
    failure so the API recovers when the node comes back) and what the API adds: nonces, identity, the relay."""

    def __init__(self, config: dict[str, Any]) -> None:
        super().__init__(
            config["LEDGER_RPC_URL"],
            Path(config["LEDGER_DEPLOYMENT"]),
            config["DATABASE_URL"],
            vault_url=config["VAULT_URL"],
            chain_timeout=config["CHAIN_TIMEOUT_SECONDS"],
        )
        self.config = config
        self.nonces = DatabaseNonces(self.engine)
        self.kept_answers: dict[str, Any] = {}  # api.lookups: this worker's answers for now, while they hold
        self.kept_results: dict[str, Any] = {}  # api.answers.batch_results: this worker's batch results, ditto
        self.holder_lookup = holder_lookup(self.engine)
        self._histories: dict[str, tuple[Reading | None, list[Row]]] = {}  # ``histories``: id -> (reading, rows)

    @cached_property
    def verdicts(self) -> VerdictCache:
        """This worker's readings of the registry, which confirm every verdict it gives (kept across a lost node:
        the chain, not the connection, decides when a reading is stale). With VERDICTS_PRELOAD, the worker reads
        every indexed certificate into it in the background on first use, so that lookups do not wait for the
        node one by one while it warms (a few seconds for the national register)."""
        cache = VerdictCache(lambda: self.w3, lambda: self.registry)
        if self.config.get("VERDICTS_PRELOAD"):
            threading.Thread(target=self._preload, args=(cache,), name="verdicts-preload", daemon=True).start()
        return cache

    def _preload(self, cache: VerdictCache) -> None:
        try:
            with self.engine.connect() as connection:
                checkpoint = index_status(connection)
                ids = all_ids(connection)
            if checkpoint is not None:
                cache.preload(ids, checkpoint.block_number)
        except (ChainUnavailable, OSError, SQLAlchemyError) as exc:  # a warm-up only: lookups read what they need
            log.warning("verdict preload stopped: %s", exc)

    @cached_property
    def registry_events(self) -> EventDecoder:
        """The certificate registry's events, as the indexer decodes them."""
        return EventDecoder(self.artifact.abi, CERTIFICATE_EVENTS)

    @cached_property
    def event_topics(self) -> set[str]:
        """Topics of the certificate registry's events, to find the certificates an act touched."""
        return set(self.registry_events.topics)

    def histories(self, ids: Sequence[str], block: int) -> dict[str, list[Row]]:
        """Each certificate's history as the registry logged it up to ``block`` (``histories``), kept per worker
        with the reading that confirmed it: while the verdict cache holds that very reading, no registry log has
        named the certificate since, so its logged history is the same (an idle chain is asked once)."""
        readings = self.verdicts.confirm(ids, block)
        found: dict[str, list[Row]] = {}
        for i in ids:
            kept = self._histories.get(i)
            if kept is not None and readings[i] is not None and kept[0] is readings[i]:
                found[i] = kept[1]
        missing = [i for i in ids if i not in found]
        if missing:
            record = self.record
            fresh = logged_histories(self.w3, record.address, self.registry_events, missing, record.block_number, block)
            if len(self._histories) + len(fresh) > HISTORIES_KEPT:
                self._histories.clear()
            for i in missing:
                self._histories[i] = (readings[i], fresh[i])
            found.update(fresh)
        return found

    @cached_property
    def application_topics(self) -> set[str]:
        """Topics of the licensing registry's application events (each indexes the application's id first)."""
        return set(EventDecoder(self.licensing_artifact.abi, APPLICATION_EVENTS).topics)

    @cached_property
    def minimum_notice_days(self) -> int:
        """The shortest notice the licensing registry takes, in whole days (at least one): an immutable of it."""
        return max(1, -(-self.licensing.functions.MIN_NOTICE_PERIOD().call() // 86400))

    @cached_property
    def grade_b_holding_period(self) -> int:
        """Seconds grade B is held before an upgrade: an immutable of the certificate registry."""
        return int(self.registry.functions.GRADE_B_HOLDING_PERIOD().call())

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
            # nonces carry a MAC instead of a row: /auth/nonce writes nothing; every worker shares the secret
            nonce_key=hmac.new(self.config["API_TOKEN_SECRET"].encode(), b"siwe-nonce/v1", hashlib.sha256).digest(),
        )

    @cached_property
    def presentations(self) -> PresentationVerifier:
        """A verifier for every relying party: each names its own audience with each challenge."""
        return PresentationVerifier(
            domain=self.domain,
            lookup=self.holder_lookup,
            nonces=self.nonces,
            contract_wallets=_LazyContractWallets(self),
        )

    @cached_property
    def act_relay(self) -> ActRelay:
        """The relayer that sends regulators' signed acts to either registry. Its key is configuration
        (RELAYER_ACCOUNT); the API never holds a regulator's key."""
        try:
            account = self._relayer_account()
        except KeystoreError as fault:  # wrong password, unknown label, damaged file, a refused development key
            raise RelayUnavailable(f"the relayer key cannot be unlocked: {fault}") from fault
        return self.relay(account)

    def _relayer_account(self) -> LocalAccount:
        """RELAYER_ACCOUNT as given; else the keystore key RELAYER_KEY (password from WALLET_PASSWORD_FILE or
        WALLET_PASSWORD); else, on a local development chain with LEDGER_DEVELOPMENT=1 only, the labelled development
        relayer."""
        if self.config["RELAYER_ACCOUNT"] is not None:
            return self.config["RELAYER_ACCOUNT"]
        chain_id = self.record.chain_id
        label = self.config["RELAYER_KEY"]
        if label:
            password_file = os.environ.get("WALLET_PASSWORD_FILE")
            password = read_password(file=Path(password_file) if password_file else None)
            return KeyStore(keystore_dir()).unlock(label, password, chain_id=chain_id)
        if dev_keys_allowed(chain_id):
            return dev_account("relayer", chain_id)
        raise RelayUnavailable("no relayer key is configured (LEDGER_RELAYER_KEY): acts cannot be relayed")

    def forget_chain(self) -> None:
        super().forget_chain()
        for name in ("act_relay", "minimum_notice_days", "grade_b_holding_period"):
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
