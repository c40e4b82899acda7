"""The vault's database: its URL (VAULT_URL, else ``var/vault.db``), its own Alembic history
(``ledger/vault/migrations``, version table ``vault_alembic_version``, so it may even share a PostgreSQL database
with the read model), and its transactions, each bound to the key the vault says it is sealed with."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ledger.errors import VaultKeyMissing, VaultKeyWrong
from ledger.settings import data_dir
from ledger.store.engine import make_engine
from ledger.vault import keyring
from ledger.vault.keyring import KeyRing
from ledger.vault.keys import VaultKey, key_id_of
from ledger.vault.models import VaultState

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
VERSION_TABLE = "vault_alembic_version"


def vault_url() -> str:
    return os.environ.get("VAULT_URL") or f"sqlite:///{data_dir() / 'vault.db'}"


def migrate_vault(engine: Engine) -> None:
    """Bring the vault's schema to its newest migration (idempotent)."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


class VaultSession:
    """One vault transaction: seals with the vault's key, opens each ciphertext with the key it names."""

    def __init__(self, session: Session, ring: KeyRing, key: VaultKey, state: VaultState) -> None:
        self.session, self.ring, self.key, self.state = session, ring, key, state

    def seal(self, plaintext: bytes, context: bytes) -> str:
        return self.key.seal(plaintext, context)

    def open(self, sealed: str, context: bytes) -> bytes:
        key = self.ring.get(key_id_of(sealed))
        if key is None:
            raise VaultKeyWrong(f"a row is sealed with key {key_id_of(sealed)}, which {self.ring.source} lacks")
        return key.open(sealed, context)

    def index(self, value: str) -> str:
        """The blind index of ``value`` under the vault's key."""
        return self.key.index(value)


class Vault:
    """The vault's database and its keys. The database names the key it is sealed with; the keys come from
    ``ledger.vault.keyring``, read again when the database names a key they lack (another process rotated)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._ring: KeyRing | None = None

    @classmethod
    def at(cls, url: str | None = None) -> Vault:
        """The vault at ``url`` (VAULT_URL, else ``var/vault.db``), its schema brought up to date."""
        engine = make_engine(url or vault_url())
        migrate_vault(engine)
        return cls(engine)

    @property
    def where(self) -> str:
        return self.engine.url.render_as_string(hide_password=True)

    @contextmanager
    def transaction(self, *, exclusive: bool = False) -> Iterator[VaultSession]:
        """A transaction with the vault's key; ``exclusive`` (a rotation) locks the key's row against every other
        writer, which otherwise holds it shared for the whole transaction, and reads the keys afresh."""
        if exclusive:
            self._ring = None
        with Session(self.engine) as session, session.begin():
            state = session.scalars(select(VaultState).with_for_update(read=not exclusive)).first()
            if state is None:
                state = self._first_seal(session)
            ring, key = self._keys(state.key_id)
            yield VaultSession(session, ring, key, state)

    def _keys(self, key_id: str) -> tuple[KeyRing, VaultKey]:
        """The keys at hand and, among them, the one named ``key_id``; refused when it is not there."""
        if self._ring is None or self._ring.get(key_id) is None:
            self._ring = keyring.load()
        if self._ring is None:
            raise VaultKeyMissing(
                f"the vault {self.where} is sealed with key {key_id}: give that key in {keyring.ENVIRONMENT} or "
                f"restore the key file {keyring.key_file()}"
            )
        key = self._ring.get(key_id)
        if key is None:
            raise VaultKeyWrong(
                f"the vault {self.where} is sealed with key {key_id}; {self._ring.source} holds "
                f"{', '.join(k.id for k in self._ring.keys)} only"
            )
        return self._ring, key

    def _first_seal(self, session: Session) -> VaultState:
        """A vault never sealed: its key is the one given, or a new key file's; recorded before any row."""
        ring = keyring.load() or keyring.create()
        try:
            with session.begin_nested():
                state = VaultState(id=1, key_id=ring.current.id)
                session.add(state)
        except IntegrityError:  # another process sealed it first
            state = session.scalars(select(VaultState)).one()
        self._ring = ring
        return state
