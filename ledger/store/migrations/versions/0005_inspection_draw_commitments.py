"""Inspection draws v2 (issue 14, finding 5): a round's commitments to its population and to a secret, and the
reveal that fixes its seed.

The credit registry's InspectionRequest changed with them, so rounds of the old contract are not re-read: the
columns of rows written before take neutral defaults (a zero commitment, no population) and `ledger reindex`
rebuilds the table from the new contract.

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

ZERO = "0x" + "00" * 32


def upgrade() -> None:
    with op.batch_alter_table("inspection_rounds", schema=None) as batch_op:
        batch_op.add_column(sa.Column("seed_commitment", sa.String(length=66), nullable=False, server_default=ZERO))
        batch_op.add_column(sa.Column("population_size", sa.Integer(), nullable=False, server_default="0"))
        batch_op.add_column(sa.Column("population_root", sa.String(length=66), nullable=False, server_default=ZERO))
        batch_op.add_column(sa.Column("secret", sa.String(length=66), nullable=True))
        batch_op.add_column(sa.Column("draw_block_hash", sa.String(length=66), nullable=True))
        batch_op.add_column(sa.Column("seed", sa.String(length=66), nullable=True))
        batch_op.add_column(sa.Column("drawn_block", sa.BigInteger(), nullable=True))
    with op.batch_alter_table("inspection_rounds", schema=None) as batch_op:
        # the defaults only filled rows written before; new rows always carry the event's values
        batch_op.alter_column("seed_commitment", server_default=None)
        batch_op.alter_column("population_size", server_default=None)
        batch_op.alter_column("population_root", server_default=None)


def downgrade() -> None:
    with op.batch_alter_table("inspection_rounds", schema=None) as batch_op:
        for column in (
            "drawn_block",
            "seed",
            "draw_block_hash",
            "secret",
            "population_root",
            "population_size",
            "seed_commitment",
        ):
            batch_op.drop_column(column)
