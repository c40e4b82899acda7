"""The licensing procedure (issue 17): the licensing registry's events, and the applications, objections and
revocation proposals folded from them (projection: rebuilt by `ledger reindex`).

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "applications",
        sa.Column("id", sa.String(length=66), nullable=False),
        sa.Column("subject", sa.String(length=66), nullable=False),
        sa.Column("certificate_id", sa.String(length=66), nullable=True),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("grade", sa.SmallInteger(), nullable=False),
        sa.Column("province", sa.SmallInteger(), nullable=False),
        sa.Column("applicant", sa.String(length=42), nullable=False),
        sa.Column("paper", sa.Boolean(), nullable=False),
        sa.Column("dossier", sa.String(length=66), nullable=False),
        sa.Column("name", sa.Text(), nullable=True),
        sa.Column("credit_code", sa.Text(), nullable=True),
        sa.Column("stage", sa.String(length=24), nullable=False),
        sa.Column("filed_at", sa.BigInteger(), nullable=False),
        sa.Column("completion_requested_at", sa.BigInteger(), nullable=True),
        sa.Column("supplemented_at", sa.BigInteger(), nullable=True),
        sa.Column("accepted_at", sa.BigInteger(), nullable=True),
        sa.Column("province_reviewed_at", sa.BigInteger(), nullable=True),
        sa.Column("reviewed_at", sa.BigInteger(), nullable=True),
        sa.Column("checks_hash", sa.String(length=66), nullable=True),
        sa.Column("expert_review_began_at", sa.BigInteger(), nullable=True),
        sa.Column("expert_review_ended_at", sa.BigInteger(), nullable=True),
        sa.Column("extended_at", sa.BigInteger(), nullable=True),
        sa.Column("notice_at", sa.BigInteger(), nullable=True),
        sa.Column("notice_ends_at", sa.BigInteger(), nullable=True),
        sa.Column("open_objections", sa.Integer(), nullable=False),
        sa.Column("objections", sa.Integer(), nullable=False),
        sa.Column("decided_at", sa.BigInteger(), nullable=True),
        sa.Column("decided_by", sa.String(length=42), nullable=True),
        sa.Column("issued_certificate", sa.String(length=66), nullable=True),
        sa.Column("updated_at", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_applications_issued_certificate"), "applications", ["issued_certificate"], unique=False)
    op.create_index(op.f("ix_applications_notice_ends_at"), "applications", ["notice_ends_at"], unique=False)
    op.create_index(op.f("ix_applications_province"), "applications", ["province"], unique=False)
    op.create_index(op.f("ix_applications_stage"), "applications", ["stage"], unique=False)
    op.create_index(op.f("ix_applications_subject"), "applications", ["subject"], unique=False)
    op.create_table(
        "licensing_events",
        sa.Column("block_number", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("log_index", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("block_hash", sa.String(length=66), nullable=False),
        sa.Column("block_time", sa.BigInteger(), nullable=False),
        sa.Column("tx_hash", sa.String(length=66), nullable=False),
        sa.Column("about", sa.String(length=66), nullable=False),
        sa.Column("name", sa.String(length=32), nullable=False),
        sa.Column("actor", sa.String(length=42), nullable=True),
        sa.Column("data", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("block_number", "log_index"),
    )
    op.create_index(
        "ix_licensing_events_about", "licensing_events", ["about", "block_number", "log_index"], unique=False
    )
    op.create_table(
        "objections",
        sa.Column("id", sa.String(length=66), nullable=False),
        sa.Column("application_id", sa.String(length=66), nullable=False),
        sa.Column("objector", sa.String(length=42), nullable=False),
        sa.Column("evidence_hash", sa.String(length=66), nullable=False),
        sa.Column("text_hash", sa.String(length=66), nullable=False),
        sa.Column("raised_at", sa.BigInteger(), nullable=False),
        sa.Column("answered_at", sa.BigInteger(), nullable=True),
        sa.Column("answered_by", sa.String(length=42), nullable=True),
        sa.Column("answer_hash", sa.String(length=66), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_objections_application_id"), "objections", ["application_id"], unique=False)
    op.create_table(
        "revocation_proposals",
        sa.Column("id", sa.String(length=66), nullable=False),
        sa.Column("certificate_id", sa.String(length=66), nullable=False),
        sa.Column("proposer", sa.String(length=42), nullable=False),
        sa.Column("reason", sa.Integer(), nullable=False),
        sa.Column("evidence_hash", sa.String(length=66), nullable=False),
        sa.Column("proposed_at", sa.BigInteger(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("closed_at", sa.BigInteger(), nullable=True),
        sa.Column("closed_by", sa.String(length=42), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        op.f("ix_revocation_proposals_certificate_id"), "revocation_proposals", ["certificate_id"], unique=False
    )
    op.create_index(op.f("ix_revocation_proposals_state"), "revocation_proposals", ["state"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_revocation_proposals_state"), table_name="revocation_proposals")
    op.drop_index(op.f("ix_revocation_proposals_certificate_id"), table_name="revocation_proposals")
    op.drop_table("revocation_proposals")
    op.drop_index(op.f("ix_objections_application_id"), table_name="objections")
    op.drop_table("objections")
    op.drop_index("ix_licensing_events_about", table_name="licensing_events")
    op.drop_table("licensing_events")
    op.drop_index(op.f("ix_applications_subject"), table_name="applications")
    op.drop_index(op.f("ix_applications_stage"), table_name="applications")
    op.drop_index(op.f("ix_applications_province"), table_name="applications")
    op.drop_index(op.f("ix_applications_notice_ends_at"), table_name="applications")
    op.drop_index(op.f("ix_applications_issued_certificate"), table_name="applications")
    op.drop_table("applications")
