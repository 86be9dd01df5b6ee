"""The posting state machine, in one place: write-ahead, settle an earlier attempt, look up, compare, post,
confirm, reverse, and the approval gate; called by the Dagster asset, the operator commands and the sensor.

Every step for one payroll runs under that payroll's posting lock (`store.locks`), so two runs can never both
find a reference absent and both post it. A written-ahead row is frozen; a replay with other content settles
the earlier attempt first (found: recorded posted with its own content, then reversed; not found: superseded).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from sqlalchemy import Engine

from connector_assets import clock
from connector_assets.cloudsuite.document_wait import look_offsets
from connector_assets.cloudsuite.erp import Erp
from connector_assets.cloudsuite.errors import JournalRejected
from connector_assets.cloudsuite.found_content import comparable_lines, lines_json, partly_entered
from connector_assets.cloudsuite.posting import (
    APPROVAL,
    approval_key,
    family_history,
    journal_from_json,
    journal_to_json,
    plan_posting,
    reversal_of,
)
from connector_assets.cloudsuite.posting_outcomes import (
    Held,
    Outcome,
    Posted,
    PostingMismatch,
    Reversed,
    Submitted,
    Unchanged,
)
from connector_assets.cloudsuite.types import Journal, PostedJournal, SubmittedJournal
from connector_assets.ledger.reference import external_reference
from connector_assets.settings import Connection
from connector_assets.store.audit import AuditLog
from connector_assets.store.locks import PostingLocks
from connector_assets.store.postings import HELD, PENDING, POSTED, REVERSED, SUBMITTED, Posting, Postings
from connector_assets.store.state import SyncState
from connector_assets.subjects import approve_command, audit_entity

DEFAULT_CONFIRM_WITHIN_S = 3600
DEFAULT_CONFIRM_WAIT_S = 5.0  # how long the submitting run itself looks for the document


@dataclass(frozen=True)
class PostingRequest:
    """One payroll's journal as it should stand in CloudSuite, and its approval gate. The service picks the
    journal's reference (the payroll's next free revision), whatever `journal.external_reference` says."""

    connection_id: str
    payroll_uuid: str
    payroll_version: str
    journal: Journal
    content_hash: str
    reverses_reference: str | None = None  # a Gusto reversal payroll: the original's reference
    require_approval: bool = False


def lock_name(connection_id: str, payroll_uuid: str) -> str:
    """The posting lock of a payroll: it covers every reference of the payroll (revisions and reversals)."""
    return f"posting:{connection_id}:{payroll_uuid}"


class PostingService:
    """Posts, confirms and reverses a connection's payroll journals exactly once per content."""

    def __init__(
        self,
        erp: Erp,
        postings: Postings,
        audit: AuditLog,
        locks: PostingLocks,
        approvals: SyncState,
        *,
        connection_id: str,
        run_id: str | None = None,
        asset_key: str | None = None,
        confirm_within_s: int = DEFAULT_CONFIRM_WITHIN_S,
        confirm_wait_s: float = DEFAULT_CONFIRM_WAIT_S,
        sleep: Callable[[float], None] = time.sleep,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.erp, self.postings, self.audit, self.locks, self.approvals = erp, postings, audit, locks, approvals
        self.connection_id = connection_id
        self.run_id, self.asset_key = run_id, asset_key
        self.confirm_within_s, self.confirm_wait_s = confirm_within_s, confirm_wait_s
        self._sleep, self._monotonic = sleep, monotonic

    # --- entry points ---
    def post(self, request: PostingRequest) -> Outcome:
        """Bring CloudSuite to hold exactly `request.journal` for the payroll (see the module docstring)."""
        with self.locks.hold(lock_name(request.connection_id, request.payroll_uuid)):
            waiting = self._settle(request.payroll_uuid, keep=request.content_hash)
            if waiting is not None:
                return waiting
            plan = plan_posting(family_history(self.postings.for_payroll(request.connection_id, request.payroll_uuid)),
                                request.content_hash)  # fmt: skip
            if plan.already_posted is not None:
                done = plan.already_posted
                self._audit(request.payroll_uuid, "unchanged", {"reference": done.external_reference})
                return Unchanged("already posted with the same content", done.external_reference, done.document_id)
            if plan.awaiting is not None:
                return self._confirm(plan.awaiting)
            if request.require_approval and not self.approvals.get(
                request.connection_id, approval_key(request.payroll_uuid, request.content_hash)
            ):
                return self._hold_for_approval(request, plan.revision)
            reversals = tuple(self._reverse(old) for old in plan.reverse)
            reference = external_reference(request.connection_id, request.payroll_uuid, plan.revision)
            row = self._write_ahead(request, replace(request.journal, external_reference=reference))
            outcome = self._post_row(row)
            return replace(outcome, reversals=reversals)

    def withdraw(self, payroll_uuid: str, reason: str) -> Outcome:
        """The payroll must not stand (cancelled in Gusto): reverse whatever of it is posted."""
        with self.locks.hold(lock_name(self.connection_id, payroll_uuid)):
            waiting = self._settle(payroll_uuid, keep=None)
            if waiting is not None:
                return waiting
            plan = plan_posting(self.postings.for_payroll(self.connection_id, payroll_uuid), None)
            reversals = tuple(self._reverse(old) for old in plan.reverse)
        if len(reversals) == 1:
            return reversals[0]
        return Unchanged(reason, reversals=reversals)

    def confirm_submitted(self) -> list[tuple[str, Posted | Submitted]]:
        """The confirmation step: look every submitted posting of the connection up and record what is found;
        returns (payroll uuid, outcome) per posting."""
        outcomes: list[tuple[str, Posted | Submitted]] = []
        for row in self.postings.in_state(SUBMITTED, self.connection_id):
            with self.locks.hold(lock_name(row.connection_id, row.payroll_uuid)):
                current = self.postings.get(row.external_reference)
                if current is not None and current.state == SUBMITTED:
                    try:
                        outcomes.append((row.payroll_uuid, self._confirm(current)))
                    except JournalRejected:
                        continue  # now held with CloudSuite's reasons: `connector held` lists it
        return outcomes

    def close_reversed_original(self, original_uuid: str, reversal_uuid: str) -> list[Reversed]:
        """Once a Gusto reversal payroll is posted, the original's posted journal is reversed: mark it so.

        Called from both payrolls' runs, since either may run first."""
        reversal_rows = self.postings.for_payroll(self.connection_id, reversal_uuid)
        if not any(p.kind == "journal" and p.state == POSTED for p in reversal_rows):
            return []
        closed = []
        for old in self.postings.for_payroll(self.connection_id, original_uuid):
            if old.kind == "journal" and old.state == POSTED:
                self.postings.mark_reversed(old.external_reference)
                self._audit(original_uuid, "reversed", {"original_reference": old.external_reference,
                            "original_document_id": old.document_id, "reversal_payroll_uuid": reversal_uuid})  # fmt: skip
                closed.append(Reversed(old.external_reference, old.document_id))
        return closed

    def original_reference(self, original_uuid: str) -> str:
        """The reference of a payroll's posted journal (what a Gusto reversal payroll reverses)."""
        rows = [p for p in self.postings.for_payroll(self.connection_id, original_uuid)
                if p.kind == "journal" and p.state in (POSTED, REVERSED)]  # fmt: skip
        return rows[-1].external_reference if rows else f"payroll {original_uuid}"

    # --- the steps ---
    def _settle(self, payroll_uuid: str, keep: str | None) -> Submitted | None:
        """Decide every earlier attempt whose content differs from `keep` before anything new is posted.

        Found (a pending FSM attempt after withdrawing its unreleased records): recorded posted with its own
        frozen content (completed first if partly entered), then reversed. Not found: a pending attempt is submitted
        if the ERP accepted it (M3), else superseded; a submitted one makes the new content wait for it."""
        for row in self.postings.for_payroll(self.connection_id, payroll_uuid):
            # A pending reversal is not settled here: `_reverse` redoes it under its own reference.
            if row.kind != "journal" or row.state not in (PENDING, SUBMITTED) or row.content_hash == keep:
                continue
            frozen = self._frozen(row)
            found = self.erp.find_journal(row.external_reference, posting_date=frozen.posting_date)
            if found is None and row.state == PENDING:  # FSM: withdraw first, so the look-up is final
                found = self._ask("withdraw_unreleased", frozen)
            outcome: Posted | Submitted | None = None
            if found is not None and row.state == PENDING and partly_entered(frozen, found):
                outcome = self._post_row(row)  # the adapter enters the missing frozen lines
            elif found is not None:
                self._record_found(row, frozen, found, action="settled")
            elif row.state == PENDING and (erp_key := self._ask("accepted_key", frozen)) is not None:
                outcome = self._confirm(self._mark_submitted(row, frozen, erp_key))
            elif row.state == PENDING:
                reason = "CloudSuite never received this attempt; its payroll's new content posts under the next revision"
                self.postings.mark_superseded(row.external_reference, [{"check": "superseded", "reason": reason}])
                self._audit(payroll_uuid, "superseded", {"reference": row.external_reference,
                                                         "content_hash": row.content_hash})  # fmt: skip
            else:
                outcome = self._confirm(row)
            if isinstance(outcome, Submitted):
                return outcome
        return None

    def _ask(self, step: str, frozen: Journal) -> Any:
        """An adapter's optional settling step, None without it: M3's `accepted_key` (the key CloudSuite accepted
        `frozen` under), FSM's `withdraw_unreleased` (no queued run releases it afterwards; what was released)."""
        ask = getattr(self.erp, step, None)
        return ask(frozen) if ask is not None else None

    def _mark_submitted(self, row: Posting, frozen: Journal, erp_key: str) -> Posting:
        """CloudSuite accepted the attempt: from now on its document is looked for, it is never posted again."""
        at = clock.now()
        self.postings.mark_submitted(row.external_reference, erp_key, at=at)
        self._audit(row.payroll_uuid, "submitted", {"reference": row.external_reference,
                    "erp_key": erp_key, "debits_cents": frozen.debit_cents})  # fmt: skip
        return replace(row, state=SUBMITTED, erp_key=erp_key, submitted_at=at)

    def _write_ahead(self, request: PostingRequest, journal: Journal) -> Posting:
        return self.postings.begin(
            connection_id=request.connection_id, payroll_uuid=request.payroll_uuid,
            payroll_version=request.payroll_version, external_reference=journal.external_reference,
            content_hash=request.content_hash, reverses_reference=request.reverses_reference,
            journal=journal_to_json(journal), posting_date=journal.posting_date, debits_cents=journal.debit_cents,
            credits_cents=journal.credit_cents, line_count=len(journal.lines), run_id=self.run_id,
        )  # fmt: skip

    def _post_row(self, row: Posting) -> Posted | Submitted:
        """Look the written-ahead reference up (by the row's own date); post its frozen content only if absent."""
        if row.state == SUBMITTED:
            return self._confirm(row)
        frozen = self._frozen(row)
        try:
            found = self.erp.find_journal(row.external_reference, posting_date=frozen.posting_date)
        except JournalRejected:
            found = None  # an earlier attempt was refused and rolled back: posting again starts it over
        if found is not None and not partly_entered(frozen, found):
            return self._record_found(row, frozen, found, action="posted")
        try:
            result = self.erp.post_journal(frozen)  # absent, or partly entered: the adapter enters what is missing
        except JournalRejected as exc:
            raise self._refused(row, exc) from None
        if isinstance(result, SubmittedJournal):
            return self._await_document(self._mark_submitted(row, frozen, result.erp_key))
        return self._record_found(row, frozen, result, action="posted")

    def _await_document(self, row: Posting) -> Posted | Submitted:
        """M3 creates the voucher in the background and FSM interfaces the run group, usually within seconds:
        look on a steady schedule (`document_wait`, up to `confirm_wait_s`) before leaving the posting to the
        confirmation step. The row is the submitted one this service holds the lock for: nothing else changes it."""
        started = self._monotonic()
        outcome: Posted | Submitted | None = None
        # Anchored at the start: a slow look does not push the next one back.
        for offset in look_offsets(self.confirm_wait_s):
            self._sleep(max(0.0, started + offset - self._monotonic()))
            outcome = self._confirm(row)
            if isinstance(outcome, Posted):
                break
        assert outcome is not None  # look_offsets is never empty
        return outcome

    def _confirm(self, row: Posting) -> Posted | Submitted:
        """A submitted posting: record the document once CloudSuite shows it; overdue past `confirm_within_s`."""
        frozen = self._frozen(row)
        try:
            found = self.erp.find_journal(row.external_reference, posting_date=frozen.posting_date)
        except JournalRejected as exc:
            raise self._refused(row, exc) from None
        if found is not None:
            return self._record_found(row, frozen, found, action="confirmed")
        age = (clock.now() - _aware(row.submitted_at or row.updated_at)).total_seconds()
        overdue = None
        if age > self.confirm_within_s:
            overdue = (
                f"submitted {age / 60:.0f} min ago (limit {self.confirm_within_s / 60:.0f} min) and CloudSuite still "
                f"shows no document {row.erp_key or row.external_reference}; check the ERP's interface log "
                "(M3 GLS840, FSM run group) before anything is posted again"
            )
        return Submitted(row.external_reference, row.erp_key, frozen.posting_date, frozen.debit_cents,
                         frozen.currency, age_s=max(age, 0.0), overdue_reason=overdue)  # fmt: skip

    def _record_found(self, row: Posting, frozen: Journal, found: PostedJournal, *, action: str) -> Posted:
        """Compare the found document with the frozen write-ahead content, then record it posted."""
        self._compare(row, frozen, found)
        self.postings.mark_posted(row.external_reference, found.document_id, erp_key=found.erp_key)
        if not (row.kind == "reversal" and action == "posted"):  # the "reversed" entry that follows tells it
            self._audit(row.payroll_uuid, action, {
                "reference": row.external_reference, "document_id": found.document_id, "erp_key": found.erp_key,
                "debits_cents": frozen.debit_cents, "credits_cents": frozen.credit_cents, "lines": len(frozen.lines),
                "reverses": row.reverses_reference, "kind": row.kind})  # fmt: skip
        return Posted(row.external_reference, found.document_id, found.erp_key, frozen.posting_date,
                      len(frozen.lines), frozen.debit_cents, frozen.credit_cents, frozen.currency,
                      confirmed=action == "confirmed")  # fmt: skip

    def _refused(self, row: Posting, exc: JournalRejected) -> JournalRejected:
        """CloudSuite refused lines (FSM `ErrorMessage`s) and posted nothing: hold the posting with its reasons."""
        self.postings.mark_held(row.external_reference, exc.reasons)
        self._audit(row.payroll_uuid, "held", {"reference": row.external_reference, "reasons": exc.reasons,
                                               "by": f"{self.erp.flavour} refused the journal"})  # fmt: skip
        return exc

    def _compare(self, row: Posting, frozen: Journal, found: PostedJournal) -> None:
        expected = comparable_lines(frozen.lines)
        if found.lines is not None:
            same = comparable_lines(found.lines) == expected
            held: Any = lines_json(comparable_lines(found.lines))
        else:  # an adapter that cannot read lines back: compare what it can
            same = (found.line_count, found.debit_cents, found.credit_cents) == (
                len(frozen.lines), frozen.debit_cents, frozen.credit_cents)  # fmt: skip
            held = {
                "lines": found.line_count,
                "debits_cents": found.debit_cents,
                "credits_cents": found.credit_cents,
            }
        if same:
            return
        self._audit(row.payroll_uuid, "posting_mismatch", {
            "reference": row.external_reference, "document_id": found.document_id,
            "written_ahead": lines_json(expected), "in_cloudsuite": held})  # fmt: skip
        raise PostingMismatch(
            f"posting {row.external_reference}: CloudSuite document {found.document_id} does not hold the lines "
            "written ahead for this reference (both versions are in the audit log, action 'posting_mismatch'); "
            "compare them, reverse the document in CloudSuite if it is wrong, then replay the payroll"
        )

    def _reverse(self, old: Posting) -> Reversed:
        """Post the reversing entry of a posted journal (its own frozen lines swapped) and mark it reversed."""
        if old.journal is None:
            raise PostingMismatch(
                f"posting {old.external_reference} has no stored journal to reverse; reverse document "
                f"{old.document_id} by hand in CloudSuite, then replay"
            )
        original = journal_from_json(old.journal)
        reference = external_reference(old.connection_id, old.payroll_uuid, old.revision, reversal=True)
        entry = reversal_of(original, reference, original.posting_date)
        row = self.postings.begin(
            connection_id=old.connection_id, payroll_uuid=old.payroll_uuid, payroll_version=old.payroll_version,
            external_reference=reference, content_hash=old.content_hash, kind="reversal",
            reverses_reference=old.external_reference, journal=journal_to_json(entry),
            posting_date=entry.posting_date, debits_cents=entry.debit_cents, credits_cents=entry.credit_cents,
            line_count=len(entry.lines), run_id=self.run_id,
        )  # fmt: skip
        outcome = self._post_row(row)
        self.postings.mark_reversed(old.external_reference)
        document = outcome.document_id if isinstance(outcome, Posted) else None
        self._audit(old.payroll_uuid, "reversed", {
            "original_reference": old.external_reference, "original_document_id": old.document_id,
            "reversal_reference": reference, "reversal_document_id": document, "reversal_erp_key": outcome.erp_key})  # fmt: skip
        return Reversed(old.external_reference, old.document_id, reference, document, outcome.erp_key,
                        entry.debit_cents, entry.currency, submitted=isinstance(outcome, Submitted))  # fmt: skip

    def _hold_for_approval(self, request: PostingRequest, revision: int) -> Held:
        reference = external_reference(request.connection_id, request.payroll_uuid, revision)
        release = approve_command(request.payroll_uuid, request.connection_id)
        reasons = ({"check": APPROVAL, "line_no": None, "value": None, "reason": f"awaiting approval: {release}"},)
        self.postings.begin(
            connection_id=request.connection_id, payroll_uuid=request.payroll_uuid,
            payroll_version=request.payroll_version, external_reference=reference,
            content_hash=request.content_hash, state=HELD, reasons=list(reasons), run_id=self.run_id,
        )  # fmt: skip
        self._audit(request.payroll_uuid, "awaiting_approval",
                    {"reference": reference, "content_hash": request.content_hash})  # fmt: skip
        return Held(reference, reasons, release)

    def _frozen(self, row: Posting) -> Journal:
        if row.journal is None:
            raise PostingMismatch(
                f"posting {row.external_reference} ({row.state}) has no written-ahead journal; look it up in "
                "CloudSuite by hand and record or reverse it before replaying"
            )
        return journal_from_json(row.journal)

    def _audit(self, payroll_uuid: str, action: str, detail: dict[str, Any]) -> None:
        # A day's contractor payments are audited under their own entity, whichever step writes the entry.
        self.audit.append(connection_id=self.connection_id, entity_type=audit_entity(payroll_uuid),
                          entity_id=payroll_uuid, action=action, detail=detail, run_id=self.run_id,
                          asset_key=self.asset_key)  # fmt: skip


def _aware(value: datetime) -> datetime:  # SQLite hands back naive datetimes; everything stored is UTC
    return value if value.tzinfo else value.replace(tzinfo=clock.now().tzinfo)


def open_service(
    engine: Engine, erp: Erp, connection: Connection, *, run_id: str | None = None, asset_key: str | None = None
) -> PostingService:
    """The service over a store's engine for one connection (its confirmation window from its settings)."""
    return PostingService(
        erp, Postings(engine), AuditLog(engine), PostingLocks(engine), SyncState(engine),
        connection_id=connection.id, run_id=run_id, asset_key=asset_key,
        confirm_within_s=connection.posting.confirm_within_s,
    )  # fmt: skip
