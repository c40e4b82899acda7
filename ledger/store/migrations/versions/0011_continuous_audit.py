"""The continuous audit (issue 15): its position and last full pass (`audit_state`) and what it found
(`audit_findings`), both rebuilt by the audit itself and dropped with the rest of the projection by a reindex.

Revision ID: 0011
Revises: 0010
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "audit_state",
        sa.Column("contract", sa.String(length=42), primary_key=True),
        sa.Column("cursor", sa.String(length=66), nullable=False),
        sa.Column("pass_started_at", sa.BigInteger(), nullable=False),
        sa.Column("pass_checked", sa.Integer(), nullable=False),
        sa.Column("last_pass_ended_at", sa.BigInteger(), nullable=True),
        sa.Column("last_pass_seconds", sa.Float(), nullable=True),
        sa.Column("last_pass_block", sa.BigInteger(), nullable=True),
        sa.Column("last_pass_certificates", sa.Integer(), nullable=True),
        sa.Column("last_pass_mismatches", sa.Integer(), nullable=True),
    )
    op.create_table(
        "audit_findings",
        sa.Column("certificate_id", sa.String(length=66), primary_key=True),
        sa.Column("field", sa.String(length=16), primary_key=True),
        sa.Column("number", sa.Text(), nullable=False),
        sa.Column("index_value", sa.Text(), nullable=True),
        sa.Column("chain_value", sa.Text(), nullable=True),
        sa.Column("block", sa.BigInteger(), nullable=False),
        sa.Column("found_at", sa.BigInteger(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("audit_findings")
    op.drop_table("audit_state")
