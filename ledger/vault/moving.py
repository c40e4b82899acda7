"""The one-time move of the vault out of the read model's database (where it lived, in clear, until the vault got
a database of its own): every row sealed into the vault, then the old tables emptied, so the read model's
migration may drop them. Run again after an interruption it copies only what the vault lacks, so nothing is lost
between the two databases' commits. Afterwards a SQLite read model is vacuumed (``scrub``): a deleted row's bytes
stay in the file's free pages, and in its write-ahead log, until then."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import Engine, inspect, select, text

from ledger.store.engine import chunked
from ledger.vault.database import Vault
from ledger.vault.models import PlannerIdentity, StoredDocument
from ledger.vault.rows import document_row, identity_row

OLD_DOCUMENTS, OLD_IDENTITIES = "vault_documents", "vault_planner_identities"
CHUNK = 500


def move_out_of(read_model: Engine, open_vault: Callable[[], Vault]) -> int:
    """Move the old-layout vault rows of ``read_model`` into the vault (opened only if there are any); returns
    how many rows moved."""
    tables = set(inspect(read_model).get_table_names())
    if not {OLD_DOCUMENTS, OLD_IDENTITIES} & tables:
        return 0
    with read_model.connect() as connection:
        documents = connection.execute(text(f"SELECT certificate_number, document_hash, body FROM {OLD_DOCUMENTS}"))
        old_documents = documents.all()
        identities = connection.execute(text(f"SELECT subject, identity_number, salt FROM {OLD_IDENTITIES}"))
        old_identities = identities.all()
    if not old_documents and not old_identities:
        return 0
    with open_vault().transaction() as sealed:
        have = set(sealed.session.scalars(select(StoredDocument.certificate_number)))
        rows = [document_row(sealed, n, h, body) for n, h, body in old_documents if n not in have]
        for chunk in chunked(rows, CHUNK):
            sealed.session.execute(StoredDocument.__table__.insert(), chunk)
        have = set(sealed.session.scalars(select(PlannerIdentity.subject)))
        rows = [identity_row(sealed, s, n, salt) for s, n, salt in old_identities if s not in have]
        for chunk in chunked(rows, CHUNK):
            sealed.session.execute(PlannerIdentity.__table__.insert(), chunk)
    with read_model.begin() as connection:
        connection.execute(text(f"DELETE FROM {OLD_DOCUMENTS}"))
        connection.execute(text(f"DELETE FROM {OLD_IDENTITIES}"))
    return len(old_documents) + len(old_identities)


def scrub(read_model: Engine) -> None:
    """Rewrite a SQLite file without its free pages and empty its write-ahead log, so no moved row's clear bytes
    remain on disk (PostgreSQL's are reclaimed by its own VACUUM)."""
    if read_model.dialect.name != "sqlite":
        return
    with read_model.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.exec_driver_sql("VACUUM")
        connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
