"""Alembic environment: migrations run on the connection ``ledger.store.engine.migrate`` hands over, or on
DATABASE_URL."""

from __future__ import annotations

from alembic import context

from ledger.store.engine import make_engine
from ledger.store.models import Base

connection = context.config.attributes.get("connection")
if connection is None:
    with make_engine().begin() as connection:
        context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()
else:
    context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()
