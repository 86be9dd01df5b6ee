"""Effective-dated assignment history of each employee (ARCHITECTURE §5 `assignments`).

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "assignments",
        sa.Column("connection_id", sa.String(64), primary_key=True),
        sa.Column("employee_uuid", sa.String(64), primary_key=True),
        sa.Column("effective_from", sa.Date, primary_key=True),
        sa.Column("department_uuid", sa.String(64)),
        sa.Column("department", sa.Text),
        sa.Column("location_uuid", sa.String(64)),
        sa.Column("job_uuid", sa.String(64)),
        sa.Column("job_title", sa.Text),
        sa.Column("custom_cost_center", sa.String(64)),
        sa.Column("source", sa.String(64), nullable=False),
        sa.Column("observed_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("assignments")
