"""A presentation challenge's nonce is kept with the certificate, audience and issued-at it was issued for (its
expiry is already kept), so that the verifier compares them with the answer instead of trusting the client.

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # nonces issued before this revision carry no binding and lapse within minutes: they are simply refused
    op.add_column("issued_nonces", sa.Column("certificate_id", sa.String(length=66), nullable=True))
    op.add_column("issued_nonces", sa.Column("audience", sa.String(length=255), nullable=True))
    op.add_column("issued_nonces", sa.Column("issued_at", sa.BigInteger(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("issued_nonces") as table:
        table.drop_column("issued_at")
        table.drop_column("audience")
        table.drop_column("certificate_id")
