"""Applications of every kind (issue 17): planners' registrations, renewals, changes of employer and
cancellations, firms' changes and cancellations. `kind` grows to hold the longer names; `employer` is the firm a
planner's application names; the two instants are the old and the new employer's consents to a change of
employer. Rows indexed before this revision are complete (these kinds did not exist before).

Revision ID: 0009
Revises: 0008
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("applications") as batch:
        batch.alter_column("kind", type_=sa.String(length=24), existing_type=sa.String(length=16))
        batch.add_column(sa.Column("employer", sa.String(length=66), nullable=True))
        batch.add_column(sa.Column("old_employer_consented_at", sa.BigInteger(), nullable=True))
        batch.add_column(sa.Column("new_employer_consented_at", sa.BigInteger(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("applications") as batch:
        batch.drop_column("new_employer_consented_at")
        batch.drop_column("old_employer_consented_at")
        batch.drop_column("employer")
        batch.alter_column("kind", type_=sa.String(length=16), existing_type=sa.String(length=24))
