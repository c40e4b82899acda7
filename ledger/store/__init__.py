"""The database: engine and Alembic migrations, the tables of the read model and of the vault, and single-use
nonces. It imports nothing of the features above it."""
