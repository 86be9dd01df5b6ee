"""Replay and approval: check the payroll (or contractor day) would post, then re-materialize its partition
through Dagster."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from connector_assets.cloudsuite.posting import APPROVAL, approval_key
from connector_assets.operations.context import OperatorContext
from connector_assets.operations.errors import OperationError, ReplayRefused
from connector_assets.operations.history import reason_text
from connector_assets.operations.prepare import rebuild_contractor_journal, rebuild_journal
from connector_assets.store.postings import Posting
from connector_assets.store.vault import utcnow
from connector_assets.subjects import CONTRACTOR_ENTITY, contractor_subject, subject_label

if TYPE_CHECKING:
    import dagster as dg

PAYROLL_JOB = "payroll_job"
APPROVAL_CHECK = APPROVAL


@dataclass(frozen=True)
class RunReport:
    """What a launched run did to a payroll's postings."""

    partition_key: str
    run_id: str
    success: bool
    error: str | None
    postings: list[Posting]

    def as_json(self) -> dict[str, Any]:
        return {
            "partition_key": self.partition_key, "run_id": self.run_id, "success": self.success,
            "error": self.error,
            "postings": [{"reference": p.external_reference, "kind": p.kind, "state": p.state,
                          "document_id": p.document_id} for p in self.postings],
        }  # fmt: skip


def _launch(
    ctx: OperatorContext,
    connection_id: str,
    payroll_uuid: str,
    tags: dict[str, str],
    instance: dg.DagsterInstance | None,
    observed: dict[str, Any] | None = None,
) -> RunReport:
    # Dagster only when a run is launched.
    from connector_assets.defs.operations import local_instance, run_job
    from connector_assets.defs.partitions import resolve_payroll_key

    def check_date() -> date | None:
        with ctx.gusto(ctx.connection(connection_id)) as gusto:
            return gusto.get_payroll(payroll_uuid).check_date

    instance = instance or local_instance()
    key = resolve_payroll_key(instance, connection_id, payroll_uuid, check_date)
    if observed:  # the operator's decision shows in the postings asset's event list, before the run it starts
        import dagster as dg

        instance.report_runless_asset_event(
            dg.AssetObservation(dg.AssetKey(["cloudsuite", "journal_postings"]), partition=key, metadata=observed)
        )
    outcome = run_job(instance, PAYROLL_JOB, key, tags=tags)
    return RunReport(key, outcome.run_id, outcome.success, outcome.error,
                     ctx.postings.for_payroll(connection_id, payroll_uuid))  # fmt: skip


def _blocking(reasons: list[dict[str, Any]]) -> list[str]:
    return [reason_text(r) for r in reasons if r.get("check") != APPROVAL_CHECK]


def _refuse_unless_forced(what: str, reasons: list[dict[str, Any]], force: bool) -> None:
    """Raise `ReplayRefused` with every reason that would still hold the journal, unless forced."""
    remaining = _blocking(reasons)
    if remaining and not force:
        raise ReplayRefused(
            f"{what} would still be held for {len(remaining)} reason(s); fix them (mapping file or CloudSuite "
            "master data) and replay again, or pass --force",
            remaining,
        )


def replay_payroll(
    ctx: OperatorContext,
    connection_id: str,
    payroll_uuid: str,
    *,
    force: bool = False,
    instance: dg.DagsterInstance | None = None,
) -> RunReport:
    """Re-materialize the payroll's partition once the journal rebuilt against fresh master data would post.

    Refuses with `ReplayRefused` (listing what still holds it) unless `force`; a forced replay still goes
    through the blocking checks, so it can record a new hold but never post an invalid journal.
    """
    prepared = rebuild_journal(ctx, connection_id, payroll_uuid)
    _refuse_unless_forced(f"payroll {payroll_uuid} ({connection_id})", prepared.reasons(), force)
    observed = {"state": "released", "by": "connector replay", "forced": force}
    return _launch(ctx, connection_id, payroll_uuid, {"connector/replay": "true"}, instance, observed)


def approve_payroll(
    ctx: OperatorContext,
    connection_id: str,
    payroll_uuid: str,
    by: str,
    *,
    instance: dg.DagsterInstance | None = None,
) -> RunReport:
    """Record who approved the journal as it stands now (by content hash), then launch its run.

    A later change to the payroll or mapping changes the content hash and needs a new approval.
    """
    if not by.strip():
        raise OperationError(f"payroll {payroll_uuid}: --by must name the approver")
    prepared = rebuild_journal(ctx, connection_id, payroll_uuid)
    if prepared.journal is None:
        raise OperationError(f"payroll {payroll_uuid} has nothing to approve: {prepared.skip_reason}")
    remaining = _blocking(prepared.reasons())
    if remaining:
        raise ReplayRefused(
            f"payroll {payroll_uuid} ({connection_id}) fails its checks; fix them before approving", remaining
        )
    header = prepared.journal.header
    approval = {"by": by, "at": utcnow().isoformat(), "reference": header.external_reference}
    ctx.state.put(connection_id, approval_key(payroll_uuid, header.content_hash), approval)
    ctx.audit.append(
        connection_id=connection_id, entity_type="payroll", entity_id=payroll_uuid, action="approved",
        detail={"by": by, "reference": header.external_reference, "content_hash": header.content_hash,
                "debits_cents": prepared.journal.proofs.balance.debit_cents},
    )  # fmt: skip
    observed = {"state": "approved", "by": by, "reference": header.external_reference,
                "content_hash": header.content_hash}  # fmt: skip
    return _launch(ctx, connection_id, payroll_uuid, {"connector/approved_by": by}, instance, observed)


CONTRACTOR_JOB = "contractor_payment_job"


def _launch_contractor_day(
    ctx: OperatorContext,
    connection_id: str,
    payment_date: date,
    tags: dict[str, str],
    instance: dg.DagsterInstance | None,
    observed: dict[str, Any] | None = None,
) -> RunReport:
    from connector_assets.defs.operations import local_instance, run_job
    from connector_assets.defs.partitions import contractor_payment_key

    instance = instance or local_instance()
    key = contractor_payment_key(connection_id, payment_date)
    if observed:  # as for a payroll: the decision shows in the postings asset's event list first
        import dagster as dg

        instance.report_runless_asset_event(
            dg.AssetObservation(
                dg.AssetKey(["cloudsuite", "contractor_postings"]), partition=key, metadata=observed
            )
        )
    outcome = run_job(instance, CONTRACTOR_JOB, key, tags=tags)
    return RunReport(key, outcome.run_id, outcome.success, outcome.error,
                     ctx.postings.for_payroll(connection_id, contractor_subject(payment_date)))  # fmt: skip


def replay_contractor_payments(
    ctx: OperatorContext,
    connection_id: str,
    payment_date: date,
    *,
    force: bool = False,
    instance: dg.DagsterInstance | None = None,
) -> RunReport:
    """Re-materialize a day's contractor payments once the journal rebuilt against fresh master data would post:
    only a changed day posts (a reversal and a new entry); an unchanged one is recorded as unchanged.

    As for a payroll: refuses with `ReplayRefused` (listing what still holds the day) unless `force`, and a
    forced replay still goes through the blocking checks.
    """
    prepared = rebuild_contractor_journal(ctx, connection_id, payment_date)
    _refuse_unless_forced(f"{subject_label(prepared.subject)} ({connection_id})", prepared.reasons(), force)
    observed = {"state": "released", "by": "connector replay", "forced": force}
    return _launch_contractor_day(ctx, connection_id, payment_date, {"connector/replay": "true"}, instance,
                                  observed)  # fmt: skip


def approve_contractor_payments(
    ctx: OperatorContext,
    connection_id: str,
    payment_date: date,
    by: str,
    *,
    instance: dg.DagsterInstance | None = None,
) -> RunReport:
    """Record who approved the day's contractor journal as it stands now (by content hash), then launch its
    run. A payment added or cancelled later, or a mapping change, changes the content and needs a new approval."""
    subject = contractor_subject(payment_date)
    label = subject_label(subject)
    if not by.strip():
        raise OperationError(f"{label}: --by must name the approver")
    prepared = rebuild_contractor_journal(ctx, connection_id, payment_date)
    if prepared.journal is None:
        raise OperationError(f"{label} has nothing to approve: {prepared.skip_reason}")
    remaining = _blocking(prepared.reasons())
    if remaining:
        raise ReplayRefused(f"{label} ({connection_id}) fail their checks; fix them before approving", remaining)
    header = prepared.journal.header
    approval = {"by": by, "at": utcnow().isoformat(), "reference": header.external_reference}
    ctx.state.put(connection_id, approval_key(subject, header.content_hash), approval)
    ctx.audit.append(
        connection_id=connection_id, entity_type=CONTRACTOR_ENTITY, entity_id=subject, action="approved",
        detail={"by": by, "reference": header.external_reference, "content_hash": header.content_hash,
                "debits_cents": prepared.journal.proofs.balance.debit_cents},
    )  # fmt: skip
    observed = {"state": "approved", "by": by, "reference": header.external_reference,
                "content_hash": header.content_hash}  # fmt: skip
    return _launch_contractor_day(ctx, connection_id, payment_date, {"connector/approved_by": by}, instance,
                                  observed)  # fmt: skip
