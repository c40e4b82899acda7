"""The database: engine and Alembic migrations, the read model's tables, the vault of personal-field salts, and
single-use nonces."""
