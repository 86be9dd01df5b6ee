"""Initial schema: token vault, webhook inbox, audit log, postings, rate limit, sync state, subscriptions.

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

Id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
Ts = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "oauth_tokens",
        sa.Column("connection_id", sa.String(64), primary_key=True),
        sa.Column("provider", sa.String(32), primary_key=True),
        sa.Column("access_token", sa.LargeBinary, nullable=False),
        sa.Column("refresh_token", sa.LargeBinary),
        sa.Column("expires_at", Ts, nullable=False),
        sa.Column("extra", sa.LargeBinary),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("updated_at", Ts, nullable=False),
    )
    op.create_table(
        "webhook_inbox",
        sa.Column("id", Id, primary_key=True, autoincrement=True),
        sa.Column("event_uuid", sa.String(64), nullable=False, unique=True),
        sa.Column("connection_id", sa.String(64), nullable=False),
        sa.Column("event_type", sa.String(128), nullable=False),
        sa.Column("entity_type", sa.String(64)),
        sa.Column("entity_uuid", sa.String(64)),
        sa.Column("source", sa.String(16), nullable=False),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("received_at", Ts, nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("run_id", sa.String(64)),
        sa.Column("processed_at", Ts),
    )
    op.create_index("ix_inbox_state", "webhook_inbox", ["state", "id"])
    op.create_table(
        "audit_log",
        sa.Column("id", Id, primary_key=True, autoincrement=True),
        sa.Column("at", Ts, nullable=False),
        sa.Column("connection_id", sa.String(64), nullable=False),
        sa.Column("entity_type", sa.String(32), nullable=False),
        sa.Column("entity_id", sa.String(64), nullable=False),
        sa.Column("action", sa.String(32), nullable=False),
        sa.Column("detail", sa.JSON, nullable=False),
        sa.Column("run_id", sa.String(64)),
        sa.Column("asset_key", sa.String(128)),
    )
    op.create_index("ix_audit_entity", "audit_log", ["entity_type", "entity_id", "id"])
    op.create_index("ix_audit_connection_at", "audit_log", ["connection_id", "at"])
    op.create_table(
        "postings",
        sa.Column("id", Id, primary_key=True, autoincrement=True),
        sa.Column("connection_id", sa.String(64), nullable=False),
        sa.Column("payroll_uuid", sa.String(64), nullable=False),
        sa.Column("payroll_version", sa.String(64), nullable=False),
        sa.Column("external_reference", sa.String(64), nullable=False),
        sa.Column("content_hash", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("reverses_reference", sa.String(64)),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("document_id", sa.String(64)),
        sa.Column("reasons", sa.JSON),
        sa.Column("debits_cents", sa.BigInteger),
        sa.Column("credits_cents", sa.BigInteger),
        sa.Column("line_count", sa.Integer),
        sa.Column("run_id", sa.String(64)),
        sa.Column("created_at", Ts, nullable=False),
        sa.Column("updated_at", Ts, nullable=False),
        sa.UniqueConstraint("external_reference", name="uq_postings_reference"),
    )
    op.create_index("ix_postings_payroll", "postings", ["connection_id", "payroll_uuid"])
    op.create_table(
        "rate_limit_hits",
        sa.Column("id", Id, primary_key=True, autoincrement=True),
        sa.Column("grant_key", sa.String(128), nullable=False),
        sa.Column("at", Ts, nullable=False),
    )
    op.create_index("ix_rate_limit_grant_at", "rate_limit_hits", ["grant_key", "at"])
    op.create_table("rate_limit_grants", sa.Column("grant_key", sa.String(128), primary_key=True))
    op.create_table(
        "sync_state",
        sa.Column("connection_id", sa.String(64), primary_key=True),
        sa.Column("key", sa.String(64), primary_key=True),
        sa.Column("value", sa.JSON, nullable=False),
        sa.Column("updated_at", Ts, nullable=False),
    )
    op.create_table(
        "webhook_subscriptions",
        sa.Column("subscription_uuid", sa.String(64), primary_key=True),
        sa.Column("connection_id", sa.String(64), nullable=False),
        sa.Column("verification_token", sa.LargeBinary),
        sa.Column("url", sa.Text),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("updated_at", Ts, nullable=False),
    )
    op.create_index("ix_subscriptions_connection", "webhook_subscriptions", ["connection_id"])


def downgrade() -> None:
    for table in (
        "webhook_subscriptions",
        "sync_state",
        "rate_limit_grants",
        "rate_limit_hits",
        "postings",
        "audit_log",
        "webhook_inbox",
        "oauth_tokens",
    ):
        op.drop_table(table)
