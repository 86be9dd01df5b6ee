"""SQLAlchemy Core tables of the store (ARCHITECTURE §5). Migrations in `migrations/` create them."""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    Column,
    Date,
    DateTime,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

metadata = MetaData()

# BigInteger ids are plain INTEGER on SQLite so they stay ROWID aliases (monotonic autoincrement).
Id = BigInteger().with_variant(Integer(), "sqlite")

oauth_tokens = Table(
    "oauth_tokens",
    metadata,
    Column("connection_id", String(64), primary_key=True),
    Column("provider", String(32), primary_key=True),
    Column("access_token", LargeBinary, nullable=False),
    Column("refresh_token", LargeBinary),
    Column("expires_at", DateTime(timezone=True), nullable=False),
    Column("extra", LargeBinary),
    Column("version", Integer, nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    # A refresh in flight: who holds the lease and until when (Gusto is called outside any transaction).
    Column("lease_holder", String(64)),
    Column("lease_expires_at", DateTime(timezone=True)),
    # NULL while usable; "needs_attention" after an unclear refresh outcome, with the reason.
    Column("state", String(24)),
    Column("state_reason", Text),
    Column("recovery_attempts", Integer),
)

webhook_inbox = Table(
    "webhook_inbox",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("event_uuid", String(64), nullable=False, unique=True),
    Column("connection_id", String(64), nullable=False),
    Column("event_type", String(128), nullable=False),
    Column("entity_type", String(64)),
    Column("entity_uuid", String(64)),
    Column("source", String(16), nullable=False),
    Column("body", Text, nullable=False),
    Column("received_at", DateTime(timezone=True), nullable=False),
    Column("state", String(16), nullable=False),
    Column("run_id", String(64)),
    Column("processed_at", DateTime(timezone=True)),
    Index("ix_inbox_state", "state", "id"),
    Index("ix_inbox_run", "run_id"),
)

audit_log = Table(
    "audit_log",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("connection_id", String(64), nullable=False),
    Column("entity_type", String(32), nullable=False),
    Column("entity_id", String(64), nullable=False),
    Column("action", String(32), nullable=False),
    Column("detail", JSON, nullable=False),
    Column("run_id", String(64)),
    Column("asset_key", String(128)),
    Index("ix_audit_entity", "entity_type", "entity_id", "id"),
    Index("ix_audit_connection_at", "connection_id", "at"),
)

postings = Table(
    "postings",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("connection_id", String(64), nullable=False),
    Column("payroll_uuid", String(64), nullable=False),
    Column("payroll_version", String(64), nullable=False),
    Column("external_reference", String(64), nullable=False),
    Column("content_hash", String(64), nullable=False),
    Column("kind", String(16), nullable=False),
    Column("reverses_reference", String(64)),
    Column("state", String(16), nullable=False),
    Column("document_id", String(64)),
    Column("reasons", JSON),
    Column("debits_cents", BigInteger),
    Column("credits_cents", BigInteger),
    Column("line_count", Integer),
    Column("run_id", String(64)),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Column("journal", JSON),
    Column("posting_date", Date),
    Column("erp_key", String(64)),
    Column("submitted_at", DateTime(timezone=True)),
    Column("confirmed_at", DateTime(timezone=True)),
    UniqueConstraint("external_reference", name="uq_postings_reference"),
    Index("ix_postings_payroll", "connection_id", "payroll_uuid"),
)

rate_limit_hits = Table(
    "rate_limit_hits",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("grant_key", String(128), nullable=False),
    Column("at", DateTime(timezone=True), nullable=False),
    Index("ix_rate_limit_grant_at", "grant_key", "at"),
)

rate_limit_grants = Table(
    "rate_limit_grants",
    metadata,
    Column("grant_key", String(128), primary_key=True),
)

sync_state = Table(
    "sync_state",
    metadata,
    Column("connection_id", String(64), primary_key=True),
    Column("key", String(64), primary_key=True),
    Column("value", JSON, nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

webhook_subscriptions = Table(
    "webhook_subscriptions",
    metadata,
    Column("subscription_uuid", String(64), primary_key=True),
    Column("connection_id", String(64), nullable=False),
    Column("verification_token", LargeBinary),
    Column("url", Text),
    Column("status", String(16), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Index("ix_subscriptions_connection", "connection_id"),
)

snapshots = Table(
    "snapshots",
    metadata,
    Column("connection_id", String(64), primary_key=True),
    Column("kind", String(64), primary_key=True),
    Column("fetched_at", DateTime(timezone=True), nullable=False),
    Column("row_count", Integer, nullable=False),
    Column("content_hash", String(64), nullable=False),
    Column("payload", LargeBinary, nullable=False),
)

# Unsigned handshake tokens, kept apart from subscriptions until `connector gusto subscribe` verifies one.
handshake_quarantine = Table(
    "handshake_quarantine",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("connection_id", String(64), nullable=False),
    Column("subscription_uuid", String(64)),
    Column("token", LargeBinary, nullable=False),
    Column("received_at", DateTime(timezone=True), nullable=False),
    Index("ix_handshake_quarantine_connection", "connection_id", "received_at"),
)

assignments = Table(
    "assignments",
    metadata,
    Column("connection_id", String(64), primary_key=True),
    Column("employee_uuid", String(64), primary_key=True),
    Column("effective_from", Date, primary_key=True),
    Column("department_uuid", String(64)),
    Column("department", Text),
    Column("location_uuid", String(64)),
    Column("job_uuid", String(64)),
    Column("job_title", Text),
    Column("custom_cost_center", String(64)),
    Column("source", String(64), nullable=False),
    Column("observed_at", DateTime(timezone=True), nullable=False),
)
