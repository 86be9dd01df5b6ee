"""Index the inbox by run key: a workforce run reads the employee events that started it.

Revision ID: 0006
Revises: 0005
"""

from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_inbox_run", "webhook_inbox", ["run_id"])


def downgrade() -> None:
    op.drop_index("ix_inbox_run", table_name="webhook_inbox")
