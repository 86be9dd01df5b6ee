"""Postings keep their frozen posting date, the ERP's own key and the submit/confirm times; unsigned
webhook handshakes wait in a bounded, short-lived quarantine until `connector gusto subscribe` claims one.

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("postings") as batch:
        batch.add_column(sa.Column("posting_date", sa.Date))
        batch.add_column(sa.Column("erp_key", sa.String(64)))
        batch.add_column(sa.Column("submitted_at", sa.DateTime(timezone=True)))
        batch.add_column(sa.Column("confirmed_at", sa.DateTime(timezone=True)))
    op.create_table(
        "handshake_quarantine",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True, autoincrement=True),
        sa.Column("connection_id", sa.String(64), nullable=False),
        sa.Column("subscription_uuid", sa.String(64)),
        sa.Column("token", sa.LargeBinary, nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Index("ix_handshake_quarantine_connection", "connection_id", "received_at"),
    )


def downgrade() -> None:
    op.drop_table("handshake_quarantine")
    with op.batch_alter_table("postings") as batch:
        for column in ("confirmed_at", "submitted_at", "erp_key", "posting_date"):
            batch.drop_column(column)
