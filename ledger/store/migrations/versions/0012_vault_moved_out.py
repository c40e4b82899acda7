"""The vault leaves the read model's database for its own (VAULT_URL, ``ledger.vault``): its old tables are dropped
here once emptied. Their rows are moved, sealed, by ``ledger.vault.moving`` before this runs (``Ledger.engine``
does it); a table that still holds rows is refused, never dropped with them.

Revision ID: 0012
Revises: 0011
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from ledger.errors import VaultNotMoved

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

OLD_TABLES = ("vault_documents", "vault_planner_identities")


def upgrade() -> None:
    connection = op.get_bind()
    for table in OLD_TABLES:
        if connection.execute(sa.text(f"SELECT 1 FROM {table} LIMIT 1")).first() is not None:
            raise VaultNotMoved(
                f"{table} still holds rows: open this database with the `ledger` command (it moves them into the "
                "vault, VAULT_URL) before migrating it"
            )
    with op.batch_alter_table("vault_documents") as batch_op:
        batch_op.drop_index(batch_op.f("ix_vault_documents_document_hash"))
    op.drop_table("vault_documents")
    op.drop_table("vault_planner_identities")


def downgrade() -> None:
    op.create_table(
        "vault_documents",
        sa.Column("certificate_number", sa.Text(), nullable=False),
        sa.Column("document_hash", sa.String(length=66), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("certificate_number"),
    )
    with op.batch_alter_table("vault_documents") as batch_op:
        batch_op.create_index(batch_op.f("ix_vault_documents_document_hash"), ["document_hash"], unique=False)
    op.create_table(
        "vault_planner_identities",
        sa.Column("subject", sa.String(length=66), nullable=False),
        sa.Column("identity_number", sa.String(length=18), nullable=False),
        sa.Column("salt", sa.String(length=66), nullable=False),
        sa.PrimaryKeyConstraint("subject"),
        sa.UniqueConstraint("identity_number"),
    )
