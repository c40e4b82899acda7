"""Key rotation: every row re-sealed under a new key in one transaction, then the old key retired.

With the key file, the new key is generated here and written before the rows change, first and with the old key
after it; the transaction re-seals every row (and recomputes every blind index) and names the new key; only then
is the file rewritten with the new key alone. Cut off anywhere, the vault stays readable: the file holds the key
the database names. Run again after a cut, it finishes with the key it had written first.

Keys given in LEDGER_VAULT_KEY cannot be rewritten from here: the operator puts the new key first
(``LEDGER_VAULT_KEY=NEW,OLD``), rotates, then drops OLD.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import bindparam, select, update

from ledger.errors import VaultError
from ledger.vault import keyring
from ledger.vault.database import Vault, VaultSession
from ledger.vault.keys import VaultKey
from ledger.vault.models import PlannerIdentity, StoredDocument
from ledger.vault.rows import document_body, document_row, identity_of, identity_row


@dataclass(frozen=True)
class Rotation:
    old_key: str
    new_key: str
    documents: int
    identities: int
    retired: bool  # the old key is gone from the key file (False: LEDGER_VAULT_KEY still names it)


def rotate_key(vault: Vault) -> Rotation:
    """Re-seal the whole vault under a new key (the key file's new one, or LEDGER_VAULT_KEY's first)."""
    with vault.transaction(exclusive=True) as current:
        ring, old = current.ring, current.key
        if ring.current.id != old.id:
            new = ring.current  # put first by the operator, or by a rotation cut off before its commit
        elif ring.path is not None:
            new = VaultKey.generate()
            ring = keyring.write(ring.path, [new, *ring.keys])
        else:
            raise VaultError(
                f"{keyring.ENVIRONMENT} names the vault's own key {old.id} first: put a new key before it "
                f"({keyring.ENVIRONMENT}=NEW,OLD) and rotate again"
            )
        resealed = VaultSession(current.session, ring, new, current.state)
        documents = _reseal_documents(current, resealed)
        identities = _reseal_identities(current, resealed)
        current.state.key_id = new.id
    if ring.path is not None:
        keyring.write(ring.path, [new])
    return Rotation(old.id, new.id, documents, identities, retired=ring.path is not None)


def _reseal_documents(old: VaultSession, new: VaultSession) -> int:
    table = StoredDocument.__table__
    rows = old.session.execute(select(table.c.certificate_number, table.c.document_hash, table.c.sealed))
    changed = []
    for number, digest, sealed in rows:
        row = document_row(new, number, digest, document_body(old, number, sealed))
        changed.append({"row": number, "resealed": row["sealed"]})
    if changed:
        statement = update(table).where(table.c.certificate_number == bindparam("row"))
        old.session.execute(statement.values(sealed=bindparam("resealed")), changed)
    return len(changed)


def _reseal_identities(old: VaultSession, new: VaultSession) -> int:
    table = PlannerIdentity.__table__
    changed = []
    for subject, sealed in old.session.execute(select(table.c.subject, table.c.sealed)):
        row = identity_row(new, subject, *identity_of(old, subject, sealed))
        changed.append({"row": subject, "reindexed": row["identity_index"], "resealed": row["sealed"]})
    if changed:
        statement = update(table).where(table.c.subject == bindparam("row"))
        old.session.execute(
            statement.values(identity_index=bindparam("reindexed"), sealed=bindparam("resealed")), changed
        )
    return len(changed)
