"""What a finished run left behind, in forms two runs can be compared by: journals, CloudSuite ledger, inbox."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from sqlalchemy import Engine

from connector_assets.store.inbox import Inbox
from connector_assets.store.postings import HELD, POSTED, REVERSED, Postings
from connector_assets_tests.e2e.chaos_env import Deployment

JournalKey = tuple[str, str, str, str, str, int, int, int]
LedgerLine = tuple[str, str, str, str, str]


@dataclass(frozen=True)
class Outcome:
    """Journals (content hashes) from the store and the ledger lines CloudSuite holds, per connection."""

    journals: tuple[JournalKey, ...]
    ledger: dict[str, tuple[LedgerLine, ...]]
    documents_per_reference: dict[str, int]
    held: tuple[tuple[str, str], ...]
    inbox_backlog: int


def _journals(engine: Engine, connection_ids: list[str]) -> tuple[JournalKey, ...]:
    postings = Postings(engine)
    rows = [p for state in (POSTED, "reversed", HELD) for p in postings.in_state(state)]
    return tuple(
        sorted(
            (p.connection_id, p.external_reference, p.kind, p.state, p.content_hash,
             p.debits_cents or 0, p.credits_cents or 0, p.line_count or 0)
            for p in rows
            if p.connection_id in connection_ids
        )
    )  # fmt: skip


def _m3_ledger(dep: Deployment, connection_id: str, counts: Counter[str]) -> tuple[LedgerLine, ...]:
    lines: list[LedgerLine] = []
    for voucher in dep.env.tenants[connection_id].ion.vouchers():
        counts[f"{connection_id}/{voucher.key1}"] += 1
        for ln in voucher.lines:
            # AIT1 is the account, the rest the dimensions (cost center in AIT2).
            lines.append((voucher.key1, ln.acdt.isoformat(), ln.dims[0], "|".join(ln.dims[1:]), str(ln.amount)))
    return tuple(sorted(lines))


def _syteline_ledger(dep: Deployment, connection_id: str, counts: Counter[str]) -> tuple[LedgerLine, ...]:
    lines: list[LedgerLine] = []
    rows = dep.env.tenants[connection_id].ion.journals()
    for row in rows:
        lines.append(
            (row.reference, row.trans_date.isoformat(), row.account, "|".join(row.units), str(row.amount))
        )
    for reference in {row.reference for row in rows}:
        counts[f"{connection_id}/{reference}"] += 1
    return tuple(sorted(lines))


def snapshot(dep: Deployment) -> Outcome:
    """The comparable state of a deployment after its flow."""
    engine = dep.engine()
    counts: Counter[str] = Counter()
    ledger = {}
    for cid, tenant in dep.env.tenants.items():
        read = _m3_ledger if tenant.erp == "m3" else _syteline_ledger
        ledger[cid] = read(dep, cid, counts)
    held = tuple(
        sorted(
            (p.external_reference, "; ".join(str(r.get("reason")) for r in p.reasons or []))
            for p in Postings(engine).in_state(HELD)
        )
    )
    return Outcome(_journals(engine, list(dep.env.tenants)), ledger, dict(counts), held, Inbox(engine).backlog())


def posted_payrolls(dep: Deployment) -> set[str]:
    """Every payroll uuid with a posted journal (a reversed one was posted, then reversed by its reversal payroll)."""
    postings = Postings(dep.engine())
    return {p.payroll_uuid for state in (POSTED, REVERSED) for p in postings.in_state(state)}


def processed_payrolls(dep: Deployment) -> set[str]:
    """Every processed payroll the simulators know of (the events that must not be lost)."""
    return {
        p.uuid
        for tenant in dep.env.tenants.values()
        for p in tenant.gusto.world.payrolls
        if p.processed and p.employee_uuids
    }
