"""Postings keep their frozen posting date, the ERP's own key and the submit/confirm times; a lease table
serializes posters of one payroll where the database has no advisory locks (SQLite).

Revision ID: 0004
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
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
        "posting_locks",
        sa.Column("lock_key", sa.String(128), primary_key=True),
        sa.Column("holder", sa.String(64), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("posting_locks")
    with op.batch_alter_table("postings") as batch:
        for column in ("confirmed_at", "submitted_at", "erp_key", "posting_date"):
            batch.drop_column(column)
