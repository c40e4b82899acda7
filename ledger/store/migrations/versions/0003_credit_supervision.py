"""Credit supervision: credit records, inspection rounds and results (projection), firm profiles (declared).

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "credit_records",
        sa.Column("id", sa.String(length=66), nullable=False),
        sa.Column("subject", sa.String(length=66), nullable=False),
        sa.Column("certificate_id", sa.String(length=66), nullable=False),
        sa.Column("subject_kind", sa.SmallInteger(), nullable=False),
        sa.Column("kind", sa.SmallInteger(), nullable=False),
        sa.Column("severity", sa.SmallInteger(), nullable=False),
        sa.Column("category", sa.Integer(), nullable=False),
        sa.Column("points", sa.Integer(), nullable=False),
        sa.Column("published_from", sa.BigInteger(), nullable=False),
        sa.Column("published_until", sa.BigInteger(), nullable=False),
        sa.Column("minimum_end", sa.BigInteger(), nullable=False),
        sa.Column("evidence_hash", sa.String(length=66), nullable=False),
        sa.Column("decision_number", sa.Text(), nullable=False),
        sa.Column("issuer", sa.String(length=42), nullable=False),
        sa.Column("recorded_at", sa.BigInteger(), nullable=False),
        sa.Column("block_number", sa.BigInteger(), nullable=False),
        sa.Column("log_index", sa.Integer(), nullable=False),
        sa.Column("tx_hash", sa.String(length=66), nullable=False),
        sa.Column("restoration_id", sa.String(length=66), nullable=True),
        sa.Column("restored_at", sa.BigInteger(), nullable=True),
        sa.Column("restored_block", sa.BigInteger(), nullable=True),
        sa.Column("restoration_decision", sa.Text(), nullable=True),
        sa.Column("restoration_issuer", sa.String(length=42), nullable=True),
        sa.Column("restoration_tx", sa.String(length=66), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("credit_records", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_credit_records_block_number"), ["block_number"], unique=False)
        batch_op.create_index(batch_op.f("ix_credit_records_restored_block"), ["restored_block"], unique=False)
        batch_op.create_index(batch_op.f("ix_credit_records_subject"), ["subject"], unique=False)

    op.create_table(
        "firm_profiles",
        sa.Column("credit_code", sa.String(length=18), nullable=False),
        sa.Column("report_year", sa.Integer(), nullable=False),
        sa.Column("technical_staff", sa.Integer(), nullable=False),
        sa.Column("senior_titles", sa.Integer(), nullable=False),
        sa.Column("projects", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("credit_code"),
    )
    op.create_table(
        "inspection_results",
        sa.Column("round_id", sa.String(length=66), nullable=False),
        sa.Column("certificate_id", sa.String(length=66), nullable=False),
        sa.Column("outcome", sa.SmallInteger(), nullable=False),
        sa.Column("evidence_hash", sa.String(length=66), nullable=False),
        sa.Column("inspector", sa.String(length=42), nullable=False),
        sa.Column("recorded_at", sa.BigInteger(), nullable=False),
        sa.Column("block_number", sa.BigInteger(), nullable=False),
        sa.Column("tx_hash", sa.String(length=66), nullable=False),
        sa.PrimaryKeyConstraint("round_id", "certificate_id"),
    )
    with op.batch_alter_table("inspection_results", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_inspection_results_block_number"), ["block_number"], unique=False)

    op.create_table(
        "inspection_rounds",
        sa.Column("id", sa.String(length=66), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("province", sa.SmallInteger(), nullable=False),
        sa.Column("grade", sa.SmallInteger(), nullable=False),
        sa.Column("sample_size", sa.Integer(), nullable=False),
        sa.Column("inspectors_per_firm", sa.Integer(), nullable=False),
        sa.Column("draw_block", sa.BigInteger(), nullable=False),
        sa.Column("roster", sa.Text(), nullable=False),
        sa.Column("announcer", sa.String(length=42), nullable=False),
        sa.Column("announced_at", sa.BigInteger(), nullable=False),
        sa.Column("block_number", sa.BigInteger(), nullable=False),
        sa.Column("log_index", sa.Integer(), nullable=False),
        sa.Column("tx_hash", sa.String(length=66), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("inspection_rounds", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_inspection_rounds_block_number"), ["block_number"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("inspection_rounds", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_inspection_rounds_block_number"))

    op.drop_table("inspection_rounds")
    with op.batch_alter_table("inspection_results", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_inspection_results_block_number"))

    op.drop_table("inspection_results")
    op.drop_table("firm_profiles")
    with op.batch_alter_table("credit_records", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_credit_records_subject"))
        batch_op.drop_index(batch_op.f("ix_credit_records_restored_block"))
        batch_op.drop_index(batch_op.f("ix_credit_records_block_number"))

    op.drop_table("credit_records")
