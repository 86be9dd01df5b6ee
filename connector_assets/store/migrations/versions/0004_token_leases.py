"""Token refresh leases and the grant's "needs attention" state on oauth_tokens.

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

COLUMNS = ("lease_holder", "lease_expires_at", "state", "state_reason", "recovery_attempts")


def upgrade() -> None:
    with op.batch_alter_table("oauth_tokens") as batch:
        batch.add_column(sa.Column("lease_holder", sa.String(64)))
        batch.add_column(sa.Column("lease_expires_at", sa.DateTime(timezone=True)))
        batch.add_column(sa.Column("state", sa.String(24)))
        batch.add_column(sa.Column("state_reason", sa.Text))
        batch.add_column(sa.Column("recovery_attempts", sa.Integer))


def downgrade() -> None:
    with op.batch_alter_table("oauth_tokens") as batch:
        for name in reversed(COLUMNS):
            batch.drop_column(name)
