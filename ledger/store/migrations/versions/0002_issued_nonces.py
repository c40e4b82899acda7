"""Single-use nonces for Sign-In with Ethereum and holder presentations.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "issued_nonces",
        sa.Column("purpose", sa.String(length=16), nullable=False),
        sa.Column("nonce", sa.String(length=64), nullable=False),
        sa.Column("expires_at", sa.BigInteger(), nullable=False),
        sa.Column("used_at", sa.BigInteger(), nullable=True),
        sa.PrimaryKeyConstraint("purpose", "nonce"),
    )
    op.create_index(op.f("ix_issued_nonces_expires_at"), "issued_nonces", ["expires_at"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_issued_nonces_expires_at"), table_name="issued_nonces")
    op.drop_table("issued_nonces")
