"""Certificates of the legacy import (issue 17): `imported` is true for a certificate the registry marked
CertificateImported (made by IMPORTER_ROLE outside any application). Rows indexed before this revision read
false until `ledger reindex`.

Revision ID: 0008
Revises: 0007
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("certificates") as batch:
        batch.add_column(sa.Column("imported", sa.Boolean(), nullable=False, server_default=sa.false()))


def downgrade() -> None:
    with op.batch_alter_table("certificates") as batch:
        batch.drop_column("imported")
