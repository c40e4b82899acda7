"""The read model's database: engine and Alembic migrations, its tables, and single-use nonces (the vault has a
database of its own, ``ledger.vault``). It imports nothing of the features above it."""
