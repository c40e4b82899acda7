"""The vault's tables, in a database of their own (VAULT_URL). Every personal value and salt is sealed
(``ledger.vault.keys``); in clear are only what the chain shows anyway (a certificate number, a document hash, a
planner's subject) and a blind index, which matches an identity number without revealing it."""

from __future__ import annotations

from typing import ClassVar

from sqlalchemy import Integer, String, Table, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

HASH = String(66)


class VaultBase(DeclarativeBase):
    __table__: ClassVar[Table]  # as ``ledger.store.models.Base``: every model maps a plain Table


class VaultState(VaultBase):
    """The one row naming the key the vault is sealed with (and its blind index computed under): a key that is not
    this one is refused before anything is read or written with it."""

    __tablename__ = "vault_state"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)  # always 1
    key_id: Mapped[str] = mapped_column(String(16))


class PlannerIdentity(VaultBase):
    """A planner's identity number and the salt of its commitment (the planner's subject on chain), sealed
    together; ``identity_index`` finds the row by identity number."""

    __tablename__ = "planner_identities"
    subject: Mapped[str] = mapped_column(HASH, primary_key=True)
    identity_index: Mapped[str] = mapped_column(String(64), unique=True)
    sealed: Mapped[str] = mapped_column(Text)


class StoredDocument(VaultBase):
    """A certificate document as issued, personal fields revealed with their salts (what its holder can later
    show), its whole canonical JSON sealed."""

    __tablename__ = "documents"
    certificate_number: Mapped[str] = mapped_column(Text, primary_key=True)
    document_hash: Mapped[str] = mapped_column(HASH, index=True)
    sealed: Mapped[str] = mapped_column(Text)
