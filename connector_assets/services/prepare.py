"""Prepare one payroll's journal: gather employees, mapping and master data, build, validate, pick a reference.

Called by the `ledger/journal_lines` asset and by `connector preview` / `replay`; it reads, it never posts.
"""

from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import Any, Protocol

import polars as pl

from connector_assets.cloudsuite.erp import Erp
from connector_assets.cloudsuite.posting import PostingPlan, family_history, plan_posting
from connector_assets.gusto.benefits import benefit_types
from connector_assets.gusto.client import GustoClient
from connector_assets.ledger.items import payroll_items
from connector_assets.ledger.journal import Journal, JournalOptions, build_journal, posting_date
from connector_assets.ledger.reference import external_reference
from connector_assets.ledger.validation import validate_journal
from connector_assets.mapping.attributes import employee_attributes
from connector_assets.mapping.grouped import resolve_grouped
from connector_assets.mapping.named import with_benefit_types
from connector_assets.mapping.periods import attributes_for_period, split_items_by_days
from connector_assets.mapping.resolve import resolve
from connector_assets.mapping.rules import load_mapping_file
from connector_assets.services.master_data import MasterData, current_master_data
from connector_assets.settings import Connection
from connector_assets.store.assignments import Assignments
from connector_assets.store.postings import Postings
from connector_assets.store.snapshots import Snapshots
from connector_assets.store.state import SyncState
from connector_assets.workforce.assignments import PeriodShare, period_shares

ATTRIBUTES = "employee_attributes"


class JournalStores(Protocol):
    """The repositories a payroll's journal is prepared from (the Dagster store resource, an operator context)."""

    @property
    def state(self) -> SyncState: ...
    @property
    def snapshots(self) -> Snapshots: ...
    @property
    def postings(self) -> Postings: ...
    @property
    def assignments(self) -> Assignments: ...


@dataclass(frozen=True, eq=False)
class PreparedJournal:
    """A journal ready to post (or held), with every reason it may not post and the posting plan."""

    connection_id: str
    payroll_uuid: str
    payroll_version: str
    journal: Journal | None
    problems: pl.DataFrame
    plan: PostingPlan
    master_data_version: str
    skip_reason: str | None = None
    reversal_of: str | None = None
    reversed_by: tuple[str, ...] = ()
    assignments: tuple[str, ...] = ()

    @property
    def subject(self) -> str:
        """The postings-ledger id (as a contractor day's `subject`): approvals and postings are keyed by it."""
        return self.payroll_uuid

    @property
    def held(self) -> bool:
        return self.problems.height > 0

    def reasons(self) -> list[dict[str, Any]]:
        return self.problems.to_dicts()


def employee_attributes_for(
    payroll: dict[str, Any], snapshots: Snapshots, gusto: GustoClient, connection: Connection
) -> pl.DataFrame:
    """The stored attributes, re-read from Gusto when the payroll names an employee they lack (a new hire)."""
    needed = {c.get("employee_uuid") for c in payroll.get("employee_compensations") or []}
    snap = snapshots.get(connection.id, ATTRIBUTES)
    if snap is not None and needed <= set(snap.frame["employee_uuid"].to_list()):
        return snap.frame
    raw = [e.raw for e in gusto.iter_employees()]
    return snapshots.put(
        connection.id, ATTRIBUTES, employee_attributes(raw, connection.gusto.cost_center_field)
    ).frame


def _skip(connection: Connection, payroll: dict[str, Any], reason: str, postings: Postings) -> PreparedJournal:
    uuid = str(payroll.get("payroll_uuid") or payroll.get("uuid"))
    plan = plan_posting(postings.for_payroll(connection.id, uuid), content_hash=None)
    return PreparedJournal(
        connection.id, uuid, str(payroll.get("version")), None, pl.DataFrame(), plan, "", skip_reason=reason
    )


def hourly_rates(attributes: pl.DataFrame) -> dict[str, int]:
    """Employee → hourly rate in cents of the primary job, where the job is paid by the hour."""
    rows = attributes.filter(pl.col("primary_job") & (pl.col("payment_unit") == "Hour")).select(
        "employee_uuid", "rate_cents"
    )
    return {str(e): int(r) for e, r in rows.iter_rows() if r}


def _period(payroll: dict[str, Any]) -> tuple[date, date]:
    """The pay period the assignment must be in force for; off-cycle runs without one use the check date."""
    period = payroll.get("pay_period") or {}
    check, _basis = posting_date(payroll, "check_date")
    start, end = (str(period.get(k) or "")[:10] for k in ("start_date", "end_date"))
    try:
        return (date.fromisoformat(start), date.fromisoformat(end)) if start and end else (check, check)
    except ValueError:
        return check, check


def assignment_shares(
    payroll: dict[str, Any], connection: Connection, store: Assignments | None, period: tuple[date, date] | None
) -> dict[str, list[PeriodShare]]:
    """Employee → the assignment(s) in force for the payroll's period (or ``period``), from the history."""
    needed = [str(c.get("employee_uuid")) for c in payroll.get("employee_compensations") or []]
    if store is None or not needed:
        return {}
    history = store.history(connection.id, needed)
    start, end = period or _period(payroll)
    basis = connection.posting.assignment_basis
    return {e: shares for e in needed if (shares := period_shares(history, e, start, end, basis))}


def prepare_journal(
    payroll: dict[str, Any],
    connection: Connection,
    gusto: GustoClient,
    erp: Erp,
    snapshots: Snapshots,
    postings: Postings,
    reversal_of: str | None = None,
    assignments: Assignments | None = None,
    period: tuple[date, date] | None = None,
) -> tuple[PreparedJournal, MasterData | None]:
    """Build and validate the payroll's journal against master data no older than the connection allows."""
    uuid = str(payroll.get("payroll_uuid") or payroll.get("uuid"))
    if not payroll.get("processed"):
        return _skip(connection, payroll, "payroll is not processed in Gusto (nothing to post)", postings), None
    reversed_by = tuple(str(u) for u in payroll.get("reversal_payroll_uuids") or ())
    rules = load_mapping_file(connection.mapping_file)
    if rules.benefit_types:  # Gusto is asked for benefit types only when a rule matches on them
        rules = with_benefit_types(rules, benefit_types(gusto))
    attributes = employee_attributes_for(payroll, snapshots, gusto, connection)
    max_age = timedelta(seconds=connection.posting.master_data_max_age_s)
    master = current_master_data(erp, snapshots, connection.id, max_age)
    # Post with the assignment in force for the pay period (a replay a year later reads the same history).
    # A reversal takes its original's period, so it offsets the original on the same cost centers.
    shares = assignment_shares(payroll, connection, assignments, period)
    rates = hourly_rates(attributes)
    attributes, parts = attributes_for_period(attributes, shares)
    items = split_items_by_days(payroll_items(payroll, rates), parts)
    options = JournalOptions(
        detail=connection.posting.detail,
        date_basis=connection.posting.date_basis,
        connection_id=connection.id,
        currency=connection.cloudsuite.currency,
        unitemized_tolerance_cents=connection.posting.unitemized_tolerance_cents,
    )
    # A summarized journal needs only the legs' sums: like items are resolved once per group.
    resolving = resolve_grouped if options.detail == "summarized" else resolve
    resolved = resolving(items, attributes, rules, connection.posting.taxes)
    journal = build_journal(payroll, items, resolved, options)
    history = family_history(postings.for_payroll(connection.id, uuid))
    plan = plan_posting(history, journal.header.content_hash)
    reference = external_reference(connection.id, uuid, max(plan.revision, 1))
    journal = replace(journal, header=replace(journal.header, external_reference=reference, reverses=reversal_of))
    problems = validate_journal(journal, master.accounts.frame, master.cost_centers.frame)
    prepared = PreparedJournal(
        connection.id, uuid, str(payroll.get("version")), journal, problems, plan, master.version,
        reversal_of=reversal_of, reversed_by=reversed_by,
        assignments=tuple(f"employee {e}: {s.assignment.describe()}, {s.reason}" for e, ss in shares.items() for s in ss),
    )  # fmt: skip
    return prepared, master


def pay_period_of(payroll: dict[str, Any]) -> tuple[date, date]:
    """The period a payroll's assignments are taken for (kept for its reversals)."""
    return _period(payroll)


def period_from_state(value: object) -> tuple[date, date] | None:
    """The original's period as the payroll asset stored it for a reversal (``[start, end]``)."""
    if isinstance(value, list) and len(value) == 2:
        return date.fromisoformat(str(value[0])), date.fromisoformat(str(value[1]))
    return None


def prepare_payroll_journal(
    payroll: dict[str, Any], connection: Connection, gusto: GustoClient, erp: Erp, stores: JournalStores
) -> tuple[PreparedJournal, MasterData | None]:
    """The payroll's journal as its run builds it: a reversal carries its original's link and pay period,
    which the payroll asset kept in the sync state when it read the original."""
    uuid = str(payroll.get("payroll_uuid") or payroll.get("uuid"))
    reversal_of = stores.state.get(connection.id, f"reversal_of:{uuid}")
    period = period_from_state(stores.state.get(connection.id, f"period_of:{uuid}"))
    return prepare_journal(
        payroll, connection, gusto, erp, stores.snapshots, stores.postings, reversal_of, stores.assignments, period
    )
