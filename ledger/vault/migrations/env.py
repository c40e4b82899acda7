"""Alembic environment of the vault's own history: migrations run on the connection
``ledger.vault.database.migrate_vault`` hands over, or on VAULT_URL. Its version table is its own."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from ledger.store.engine import make_engine
from ledger.vault.database import VERSION_TABLE, vault_url
from ledger.vault.models import VaultBase


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection, target_metadata=VaultBase.metadata, render_as_batch=True, version_table=VERSION_TABLE
    )
    with context.begin_transaction():
        context.run_migrations()


connection = context.config.attributes.get("connection")
if connection is None:
    with make_engine(vault_url()).begin() as connection:
        _run(connection)
else:
    _run(connection)
