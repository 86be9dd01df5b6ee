"""Per-connection health: master data age, last posting, held count, submitted postings, token expiry, inbox
backlog.

Token health is read from the vault's plain columns (expiry, version); each secret is only test-decrypted, so a
row no configured key decrypts shows as "undecryptable" instead of "valid". Submitted postings are confirmed
against CloudSuite here too (the same service step as the sensor's), so the status is current.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select

from connector_assets.cloudsuite.flavours import employee_sync_note
from connector_assets.cloudsuite.posting_outcomes import Posted, Submitted
from connector_assets.cloudsuite.posting_service import open_service
from connector_assets.operations.context import OperatorContext
from connector_assets.store.crypto import EncryptionKeyError
from connector_assets.store.postings import HELD, POSTED, SUBMITTED
from connector_assets.store.tables import oauth_tokens
from connector_assets.store.vault import NEEDS_ATTENTION, _aware, _token_name, utcnow
from connector_assets.subjects import subject_label

MASTER_DATA = ("gl_accounts", "cost_centers")


@dataclass(frozen=True)
class TokenHealth:
    """A stored grant's expiry, without its secrets."""

    provider: str
    expires_at: datetime
    has_refresh_token: bool
    version: int
    attention: str | None = None
    undecryptable: bool = False

    @property
    def expired(self) -> bool:
        return self.expires_at <= utcnow()


def reconnect_line(connection_id: str) -> str:
    """What the operator must do for a Gusto grant that needs attention (the same words as the logs)."""
    return f"reconnect Gusto for {connection_id}: `connector gusto connect {connection_id}`"


@dataclass(frozen=True)
class ConnectionStatus:
    """What an operator checks first for one connection."""

    connection_id: str
    erp: str
    master_data: dict[str, datetime | None]
    last_posted: dict[str, Any] | None
    held: int
    inbox_backlog: int
    tokens: list[TokenHealth] = field(default_factory=list)
    submitted: list[dict[str, Any]] = field(default_factory=list)

    @property
    def undecryptable(self) -> list[str]:
        return [t.provider for t in self.tokens if t.undecryptable]

    def as_json(self) -> dict[str, Any]:
        return {
            "connection_id": self.connection_id,
            "erp": self.erp,
            "employee_sync": employee_sync_note(self.erp) or "on",
            "master_data": {k: v.isoformat() if v else None for k, v in self.master_data.items()},
            "last_posted": self.last_posted,
            "held": self.held,
            "inbox_backlog": self.inbox_backlog,
            "submitted": self.submitted,
            "tokens": [
                {
                    "provider": t.provider,
                    "expires_at": t.expires_at.isoformat(),
                    "expired": t.expired,
                    "undecryptable": t.undecryptable,
                    "has_refresh_token": t.has_refresh_token,
                    "version": t.version,
                    "needs_attention": t.attention,
                }
                for t in self.tokens
            ],
        }


def _undecryptable(ctx: OperatorContext) -> set[str]:
    try:
        return set(ctx.vault().undecryptable())
    except EncryptionKeyError:  # no key configured at all: every stored token is undecryptable
        return {"*"}


def token_health(ctx: OperatorContext, connection_id: str) -> list[TokenHealth]:
    """Expiry and decryptability of each stored grant of the connection (no secret leaves this function)."""
    stuck = _undecryptable(ctx)
    cols = oauth_tokens.c
    query = (
        select(
            cols.provider,
            cols.expires_at,
            cols.refresh_token.is_not(None).label("has_refresh"),
            cols.version,
            cols.state,
            cols.state_reason,
        )
        .where(cols.connection_id == connection_id)
        .order_by(cols.provider)
    )
    with ctx.engine.connect() as conn:
        return [
            TokenHealth(
                r.provider,
                _aware(r.expires_at),
                bool(r.has_refresh),
                r.version,
                attention=(r.state_reason or r.state) if r.state == NEEDS_ATTENTION else None,
                undecryptable="*" in stuck or _token_name(connection_id, r.provider) in stuck,
            )
            for r in conn.execute(query)
        ]


def connection_status(ctx: OperatorContext, connection_id: str) -> ConnectionStatus:
    """The status of one connection from the store."""
    connection = ctx.connection(connection_id)
    posted = [p for p in ctx.postings.in_state(POSTED, connection_id) if p.kind == "journal"]
    last = max(posted, key=lambda p: p.updated_at, default=None)
    return ConnectionStatus(
        connection_id=connection_id,
        erp=connection.cloudsuite.erp,
        master_data={kind: ctx.snapshots.fetched_at(connection_id, kind) for kind in MASTER_DATA},
        last_posted=None
        if last is None
        else {
            "payroll_uuid": last.payroll_uuid,
            "subject": subject_label(last.payroll_uuid),
            "reference": last.external_reference,
            "document_id": last.document_id,
            "at": last.updated_at.isoformat(),
        },
        held=len(ctx.postings.in_state(HELD, connection_id)),
        inbox_backlog=ctx.inbox.backlog(connection_id),
        tokens=token_health(ctx, connection_id),
        submitted=[o.metadata() for _, o in confirm_submitted(ctx, connection_id) if isinstance(o, Submitted)],
    )


def confirm_submitted(ctx: OperatorContext, connection_id: str) -> list[tuple[str, Posted | Submitted]]:
    """Look the connection's submitted postings up in CloudSuite (only when there are any) and record them."""
    if not ctx.postings.in_state(SUBMITTED, connection_id):
        return []
    connection = ctx.connection(connection_id)
    erp = ctx.erp(connection)
    try:
        return open_service(ctx.engine, erp, connection, run_id=None).confirm_submitted()
    finally:
        erp.close()


def format_status(rows: list[ConnectionStatus]) -> str:
    """One block per connection."""
    out: list[str] = []
    for s in rows:
        out.append(f"{s.connection_id} ({s.erp})")
        if note := employee_sync_note(s.erp):
            out.append(f"  employee sync    not applicable: {note}")
        for kind, at in s.master_data.items():
            out.append(f"  {kind:<16} {f'fetched {at:%Y-%m-%d %H:%M:%S} UTC' if at else 'never fetched'}")
        if s.last_posted:
            lp = s.last_posted
            out.append(f"  last posted      {subject_label(lp['payroll_uuid'])} as {lp['reference']} "
                       f"(document {lp['document_id']}) at {lp['at']}")  # fmt: skip
        else:
            out.append("  last posted      nothing posted yet")
        out.append(f"  held             {s.held}{'  (see: connector held)' if s.held else ''}")
        out.append(f"  inbox backlog    {s.inbox_backlog}")
        for sub in s.submitted:
            late = f"  OVERDUE: {sub['overdue']}" if "overdue" in sub else ""
            out.append(f"  submitted        {sub['reference']} (ERP key {sub['erp_key']}, {sub['debits']}), "
                       f"waiting {sub['waiting_s']} s for CloudSuite's document{late}")  # fmt: skip
        for t in s.tokens:
            if t.attention:
                out.append(f"  token {t.provider:<10} NEEDS ATTENTION ({t.attention})")
                out.append(f"                   {reconnect_line(s.connection_id)}")
                continue
            state = "EXPIRED (refreshed on next use)" if t.expired else "valid"
            if t.undecryptable:
                state = "UNDECRYPTABLE (no key in CONNECTOR_ENCRYPTION_KEY decrypts it; see `connector store reencrypt`)"
            refresh = "with refresh token" if t.has_refresh_token else "no refresh token"
            out.append(f"  token {t.provider:<10} {state} until {t.expires_at:%Y-%m-%d %H:%M:%S} UTC, {refresh}")
        if not s.tokens:
            out.append("  tokens           none stored (run `connector gusto connect`)")
        out.append("")
    return "\n".join(out).rstrip()
