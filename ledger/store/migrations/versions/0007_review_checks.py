"""The reviewer's checks (issue 17): each review's checks hash and the checks JSON the dossier store held under it
when the review was indexed (projection). Reviews indexed before this revision get their rows from `ledger
reindex`.

Revision ID: 0007
Revises: 0006
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "review_checks",
        sa.Column("block_number", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("log_index", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("application_id", sa.String(length=66), nullable=False),
        sa.Column("checks_hash", sa.String(length=66), nullable=False),
        sa.Column("body", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("block_number", "log_index"),
    )
    op.create_index(op.f("ix_review_checks_application_id"), "review_checks", ["application_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_review_checks_application_id"), table_name="review_checks")
    op.drop_table("review_checks")
