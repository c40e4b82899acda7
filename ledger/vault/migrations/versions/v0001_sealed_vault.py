"""The vault in its own database: the key it is sealed with, sealed documents, sealed planner identities found by
a blind index.

Revision ID: v0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "v0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "vault_state",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("key_id", sa.String(length=16), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "documents",
        sa.Column("certificate_number", sa.Text(), nullable=False),
        sa.Column("document_hash", sa.String(length=66), nullable=False),
        sa.Column("sealed", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("certificate_number"),
    )
    with op.batch_alter_table("documents") as batch_op:
        batch_op.create_index(batch_op.f("ix_documents_document_hash"), ["document_hash"], unique=False)
    op.create_table(
        "planner_identities",
        sa.Column("subject", sa.String(length=66), nullable=False),
        sa.Column("identity_index", sa.String(length=64), nullable=False),
        sa.Column("sealed", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("subject"),
        sa.UniqueConstraint("identity_index"),
    )


def downgrade() -> None:
    op.drop_table("planner_identities")
    with op.batch_alter_table("documents") as batch_op:
        batch_op.drop_index(batch_op.f("ix_documents_document_hash"))
    op.drop_table("documents")
    op.drop_table("vault_state")
