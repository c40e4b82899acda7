"""The indexer records when it last reached the chain node (`seen_at`), apart from when it last wrote
(`updated_at`): an idle chain leaves `updated_at` old while `seen_at` keeps up, a lost node leaves both old, so
an answer can say whether the chain was reachable (issue 15). Rows from before this revision start at 0 (never
seen) until the indexer's next poll.

Revision ID: 0010
Revises: 0009
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("indexer_checkpoints") as batch:
        batch.add_column(sa.Column("seen_at", sa.BigInteger(), nullable=False, server_default="0"))


def downgrade() -> None:
    with op.batch_alter_table("indexer_checkpoints") as batch:
        batch.drop_column("seen_at")
