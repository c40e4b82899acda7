"""The read model (projection of the chain's events) and the vault (personal values and salts).

Revision ID: 0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "blocks",
        sa.Column("number", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("hash", sa.String(length=66), nullable=False),
        sa.Column("timestamp", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("number"),
    )
    op.create_table(
        "certificate_events",
        sa.Column("block_number", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("log_index", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("certificate_id", sa.String(length=66), nullable=False),
        sa.Column("block_hash", sa.String(length=66), nullable=False),
        sa.Column("block_time", sa.BigInteger(), nullable=False),
        sa.Column("tx_hash", sa.String(length=66), nullable=False),
        sa.Column("act", sa.String(length=16), nullable=False),
        sa.Column("actor", sa.String(length=42), nullable=True),
        sa.Column("data", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("block_number", "log_index", "certificate_id"),
    )
    with op.batch_alter_table("certificate_events", schema=None) as batch_op:
        batch_op.create_index(
            "ix_certificate_events_certificate", ["certificate_id", "block_number", "log_index"], unique=False
        )

    op.create_table(
        "certificates",
        sa.Column("id", sa.String(length=66), nullable=False),
        sa.Column("number", sa.Text(), nullable=False),
        sa.Column("kind", sa.SmallInteger(), nullable=False),
        sa.Column("grade", sa.SmallInteger(), nullable=False),
        sa.Column("province", sa.SmallInteger(), nullable=False),
        sa.Column("subject", sa.String(length=66), nullable=False),
        sa.Column("holder", sa.String(length=42), nullable=False),
        sa.Column("employer", sa.String(length=66), nullable=True),
        sa.Column("status", sa.SmallInteger(), nullable=False),
        sa.Column("valid_from", sa.BigInteger(), nullable=False),
        sa.Column("valid_until", sa.BigInteger(), nullable=False),
        sa.Column("held_since", sa.BigInteger(), nullable=False),
        sa.Column("issuer", sa.String(length=42), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("document_hash", sa.String(length=66), nullable=False),
        sa.Column("predecessor", sa.String(length=66), nullable=True),
        sa.Column("successor", sa.String(length=66), nullable=True),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("credit_code", sa.Text(), nullable=True),
        sa.Column("public_data", sa.Text(), nullable=False),
        sa.Column("issued_at", sa.BigInteger(), nullable=False),
        sa.Column("last_block", sa.BigInteger(), nullable=False),
        sa.Column("last_log_index", sa.Integer(), nullable=False),
        sa.Column("last_tx", sa.String(length=66), nullable=False),
        sa.Column("updated_at", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("number"),
    )
    with op.batch_alter_table("certificates", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_certificates_credit_code"), ["credit_code"], unique=False)
        batch_op.create_index(batch_op.f("ix_certificates_document_hash"), ["document_hash"], unique=False)
        batch_op.create_index(batch_op.f("ix_certificates_employer"), ["employer"], unique=False)
        batch_op.create_index(batch_op.f("ix_certificates_name"), ["name"], unique=False)
        batch_op.create_index("ix_certificates_search", ["kind", "grade", "province", "status", "number"], unique=False)
        batch_op.create_index(batch_op.f("ix_certificates_subject"), ["subject"], unique=False)
        batch_op.create_index(batch_op.f("ix_certificates_valid_until"), ["valid_until"], unique=False)

    op.create_table(
        "employment_periods",
        sa.Column("certificate_id", sa.String(length=66), nullable=False),
        sa.Column("started_block", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("started_log_index", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("planner", sa.String(length=66), nullable=False),
        sa.Column("employer", sa.String(length=66), nullable=False),
        sa.Column("started_at", sa.BigInteger(), nullable=False),
        sa.Column("ended_at", sa.BigInteger(), nullable=True),
        sa.Column("end_reason", sa.String(length=16), nullable=True),
        sa.PrimaryKeyConstraint("certificate_id", "started_block", "started_log_index"),
    )
    with op.batch_alter_table("employment_periods", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_employment_periods_employer"), ["employer"], unique=False)
        batch_op.create_index(batch_op.f("ix_employment_periods_planner"), ["planner"], unique=False)

    op.create_table(
        "firms",
        sa.Column("subject", sa.String(length=66), nullable=False),
        sa.Column("credit_code", sa.Text(), nullable=True),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("province", sa.SmallInteger(), nullable=False),
        sa.PrimaryKeyConstraint("subject"),
    )
    with op.batch_alter_table("firms", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_firms_credit_code"), ["credit_code"], unique=False)
        batch_op.create_index(batch_op.f("ix_firms_name"), ["name"], unique=False)

    op.create_table(
        "indexer_checkpoints",
        sa.Column("contract", sa.String(length=42), nullable=False),
        sa.Column("chain_id", sa.BigInteger(), nullable=False),
        sa.Column("block_number", sa.BigInteger(), nullable=False),
        sa.Column("block_hash", sa.String(length=66), nullable=False),
        sa.Column("head_seen", sa.BigInteger(), nullable=False),
        sa.Column("updated_at", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("contract"),
    )
    op.create_table(
        "planners",
        sa.Column("subject", sa.String(length=66), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("subject"),
    )
    with op.batch_alter_table("planners", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_planners_name"), ["name"], unique=False)

    op.create_table(
        "vault_documents",
        sa.Column("certificate_number", sa.Text(), nullable=False),
        sa.Column("document_hash", sa.String(length=66), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("certificate_number"),
    )
    with op.batch_alter_table("vault_documents", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_vault_documents_document_hash"), ["document_hash"], unique=False)

    op.create_table(
        "vault_planner_identities",
        sa.Column("subject", sa.String(length=66), nullable=False),
        sa.Column("identity_number", sa.String(length=18), nullable=False),
        sa.Column("salt", sa.String(length=66), nullable=False),
        sa.PrimaryKeyConstraint("subject"),
        sa.UniqueConstraint("identity_number"),
    )


def downgrade() -> None:
    op.drop_table("vault_planner_identities")
    with op.batch_alter_table("vault_documents", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_vault_documents_document_hash"))

    op.drop_table("vault_documents")
    with op.batch_alter_table("planners", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_planners_name"))

    op.drop_table("planners")
    op.drop_table("indexer_checkpoints")
    with op.batch_alter_table("firms", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_firms_name"))
        batch_op.drop_index(batch_op.f("ix_firms_credit_code"))

    op.drop_table("firms")
    with op.batch_alter_table("employment_periods", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_employment_periods_planner"))
        batch_op.drop_index(batch_op.f("ix_employment_periods_employer"))

    op.drop_table("employment_periods")
    with op.batch_alter_table("certificates", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_certificates_valid_until"))
        batch_op.drop_index(batch_op.f("ix_certificates_subject"))
        batch_op.drop_index("ix_certificates_search")
        batch_op.drop_index(batch_op.f("ix_certificates_name"))
        batch_op.drop_index(batch_op.f("ix_certificates_employer"))
        batch_op.drop_index(batch_op.f("ix_certificates_document_hash"))
        batch_op.drop_index(batch_op.f("ix_certificates_credit_code"))

    op.drop_table("certificates")
    with op.batch_alter_table("certificate_events", schema=None) as batch_op:
        batch_op.drop_index("ix_certificate_events_certificate")

    op.drop_table("certificate_events")
    op.drop_table("blocks")
