"""FSM journal interfacing through `GLTransactionInterface` (reference §13): stage, edit only, interface, confirm.

The run group is ours and deterministic (the journal's external reference, at most 30 characters), so a
retry after a crash finds what the interrupted attempt left: a posted journal (returned), staged records
with the same content (kept), or anything else in the run group (rolled back and staged again). Every run
is edit-only first; only a clean run group is interfaced, all or nothing (`PrmPartialUpdate=false`). The
interface run is asynchronous: `post_journal` answers `SubmittedJournal`, and `find_journal` returns the
journal once `GLTransactionInterfaceResult` shows the run finished and its lines are in the journal class.
An attempt that died before its outcome was known is settled by `withdraw_unreleased`.
"""

from __future__ import annotations

import base64
import hashlib
import logging
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from connector_assets.cloudsuite.errors import FsmError, JournalPending, JournalRejected
from connector_assets.cloudsuite.landmark import LandmarkClient, Row
from connector_assets.cloudsuite.money import cents_to_decimal, decimal_to_cents
from connector_assets.cloudsuite.types import (
    Journal,
    JournalLine,
    PostedJournal,
    SubmittedJournal,
    require_same_totals,
)

log = logging.getLogger(__name__)
INTERFACE = "GLTransactionInterface"
RESULT = "GLTransactionInterfaceResult"
RUN_GROUP, SEQUENCE = "GLTransactionInterface.RunGroup", "GLTransactionInterface.SequenceNumber"
INTERFACE_OP = "InterfaceTransactions_InterfaceTransactionsForm_FormOperation"
DELETE_OP = "DeleteAllTransactionsForRunGroup_DeleteAllTransactionsForRunGroupForm_FormOperation"
FSM_REJECTED = "fsm_rejected"
RUN_GROUP_LENGTH = 30
DIMENSION_NAME = re.compile(r"^(AccountingUnit|FinanceDimension([1-9]|10)|Project)$")


@dataclass(frozen=True)
class FsmPostingOptions:
    """Per-tenant facts of journal interfacing; the defaults follow the reference."""

    enterprise_group: str
    accounting_entity: str
    cost_center_dimension: str = "AccountingUnit"
    journal_code: str | None = None
    system_code: str | None = None
    currency: str = "USD"
    batch_size: int = 100
    edit_and_interface: bool = True  # PrmEditAndInterface on the update run (without it runs may stay edit-only)
    journal_class: str = "GeneralLedgerTransaction"  # where released lines are read back by Reference
    result_polls: int = 8
    first_poll_delay_s: float = 0.05
    max_poll_delay_s: float = 2.0


@dataclass(frozen=True)
class InterfaceResult:
    """One `GLTransactionInterfaceResult` record; the run id compares as an integer ("999" < "1000")."""

    run_id: int
    status: str
    record_count: int
    passed_count: int
    failed_count: int


def run_group(external_reference: str) -> str:
    """The run group of a journal: its reference when it fits 30 characters of A-Z, 0-9 and '-', else a digest."""
    if len(external_reference) <= RUN_GROUP_LENGTH and re.fullmatch(r"[A-Z0-9-]+", external_reference):
        return external_reference
    digest = base64.b32encode(hashlib.sha256(external_reference.encode()).digest()).decode()
    return f"GP-{digest[: RUN_GROUP_LENGTH - 3]}"


def _int(row: Row, name: str) -> int:
    value = row.get(name, "").strip() or "0"
    if not re.fullmatch(r"-?\d+", value):
        raise FsmError(RESULT, f"{name}={value!r} is not a number")
    return int(value)


class FsmGeneralLedger:
    """Journal interfacing and read-back for one finance enterprise group and accounting entity."""

    def __init__(
        self, client: LandmarkClient, options: FsmPostingOptions, *, sleep: Callable[[float], None] = time.sleep
    ) -> None:
        self.client = client
        self.options = options
        self._sleep = sleep

    # --- records ---
    def records(self, journal: Journal) -> list[Row]:
        """The `GLTransactionInterface` records of a journal, one per line, sequence 1..n."""
        o = self.options
        if journal.currency != o.currency:
            raise ValueError(f"journal {journal.external_reference}: currency {journal.currency} differs from the "
                             f"connection's {o.currency}; FSM posts in the accounting entity's currency")  # fmt: skip
        day = journal.posting_date.strftime("%Y%m%d")
        group = run_group(journal.external_reference)
        out = []
        for number, line in enumerate(journal.lines, start=1):
            if line.currency != journal.currency:
                raise ValueError(f"journal {journal.external_reference} line {number}: currency {line.currency} "
                                 f"differs from the journal's {journal.currency}; post one journal per currency")  # fmt: skip
            fields: Row = {
                "FinanceEnterpriseGroup": o.enterprise_group, RUN_GROUP: group, SEQUENCE: str(number),
                "AccountingEntity": o.accounting_entity, "AccountCode": line.account, "PostingDate": day,
                "TransactionDate": day, "TransactionAmount": cents_to_decimal(line.signed_cents),
                "Description": (line.text or journal.description)[:60], "Reference": journal.external_reference,
                "DocumentNumber": journal.external_reference,
            }  # fmt: skip
            for name, value in line.dimensions.items():
                if not DIMENSION_NAME.match(name):
                    raise ValueError(f"journal {journal.external_reference} line {number}: dimension {name!r} is "
                                     "not an FSM field; use AccountingUnit, FinanceDimension1..10 or Project")  # fmt: skip
                fields[name] = value
            if line.cost_center:
                fields[o.cost_center_dimension] = line.cost_center
            if o.journal_code:
                fields["JournalCode"] = o.journal_code
            if o.system_code:
                fields["System"] = o.system_code
            out.append(fields)
        return out

    def staged(self, group: str) -> list[Row]:
        """The run group's records still in `GLTransactionInterface`, by sequence, with their `ErrorMessage`."""
        fields = [SEQUENCE, "AccountCode", "AccountingUnit", self.options.cost_center_dimension,
                  "TransactionAmount", "ErrorMessage"]  # fmt: skip
        where = {"FinanceEnterpriseGroup": self.options.enterprise_group, RUN_GROUP: group}
        rows = self.client.select(INTERFACE, list(dict.fromkeys(fields)), where, key=(SEQUENCE,))
        return sorted(rows, key=lambda r: _int(r, SEQUENCE))

    def stage(self, journal: Journal, records: list[Row]) -> None:
        """CreateUnreleased in batches; any refused record rolls the run group back and is reported."""
        problems: list[dict[str, object]] = []
        for start in range(0, len(records), self.options.batch_size):
            chunk = records[start : start + self.options.batch_size]
            for record, answer in zip(chunk, self.client.create_unreleased(INTERFACE, chunk), strict=True):
                exc = answer.get("exception")
                if exc:
                    message = exc.get("message", exc) if isinstance(exc, dict) else exc
                    problems.append(_reason(record, str(message)))
        if problems:
            self.rollback(run_group(journal.external_reference))
            raise JournalRejected(journal.external_reference, problems)

    def rollback(self, group: str) -> None:
        """DeleteAllTransactionsForRunGroup, then check that nothing of the run group is left staged."""
        self.client.form_operation(INTERFACE, DELETE_OP, {"PrmRunGroup": group,
                                                          "PrmEnterpriseGroup": self.options.enterprise_group})  # fmt: skip
        left = self.client.count(INTERFACE, {"FinanceEnterpriseGroup": self.options.enterprise_group,
                                             RUN_GROUP: group})  # fmt: skip
        if left:
            raise FsmError(INTERFACE, f"run group {group} still holds {left} record(s) after the rollback; "
                           "delete them on the interface maintenance page, then post again")  # fmt: skip

    def interface(self, group: str, *, edit_only: bool) -> None:
        """Interface Transactions on the run group: edit only, or update all or nothing."""
        o = self.options
        params = {"PrmRunGroup": group, "PrmEnterpriseGroup": o.enterprise_group,
                  "PrmAccountingEntity": o.accounting_entity, "PrmEditOnly": _flag(edit_only),
                  "PrmPartialUpdate": "false", "PrmEditAndInterface": _flag(not edit_only and o.edit_and_interface),
                  "PrmJournalizeByEntity": "true"}  # fmt: skip
        self.client.form_operation(INTERFACE, INTERFACE_OP, params)

    # --- results ---
    def results(self, group: str) -> list[InterfaceResult]:
        fields = [RESULT, "RunGroup", "Status", "RecordCount", "PassedCount", "FailedCount"]
        rows = self.client.select(RESULT, fields, {"RunGroup": group}, key=(RESULT,))
        return sorted(
            (InterfaceResult(_int(r, RESULT), r.get("Status", ""), _int(r, "RecordCount"), _int(r, "PassedCount"),
                             _int(r, "FailedCount")) for r in rows),
            key=lambda r: r.run_id,
        )  # fmt: skip

    def await_result(self, group: str, after: int) -> InterfaceResult:
        """Poll the run group's results until one newer than run `after` has finished (bounded, with backoff)."""
        delay = self.options.first_poll_delay_s
        for attempt in range(self.options.result_polls):
            done = [r for r in self.results(group) if r.run_id > after and _finished(r)]
            if done:
                return done[-1]
            if attempt + 1 < self.options.result_polls:
                self._sleep(delay)
                delay = min(delay * 2, self.options.max_poll_delay_s)
        raise JournalPending(
            f"run group {group}: Interface Transactions has not finished after {self.options.result_polls} polls; "
            "post again later (the staged records are kept and looked up, never staged twice)"
        )

    # --- read back ---
    def find_journal(self, reference: str) -> PostedJournal | None:
        """The released journal of `reference` once a run of its group finished; raises JournalRejected when its
        staged records carry errors."""
        group = run_group(reference)
        if not any(_finished(r) for r in self.results(group)):
            return None
        lines = self._journal_lines(reference)
        if lines:
            return self._posted(reference, group, lines)
        errors = [r for r in self.staged(group) if r.get("ErrorMessage", "").strip()]
        if errors:
            raise JournalRejected(reference, [_reason(r, r["ErrorMessage"].strip()) for r in errors])
        return None

    def withdraw_unreleased(self, journal: Journal) -> PostedJournal | None:
        """Settle an attempt whose outcome was never heard: delete the run group's unreleased records, then read
        what FSM released under the reference before that (None: nothing, and nothing ever will be).

        An Interface Transactions run works on the records it finds when it runs, and FSM's result list does not
        say whether a queued run is edit-only or an update: withdrawing the records makes every queued run of the
        group release nothing, so the released lines read afterwards are all the attempt will ever leave."""
        group = run_group(journal.external_reference)
        self.rollback(group)
        lines = self._journal_lines(journal.external_reference)
        return self._posted(journal.external_reference, group, lines) if lines else None

    def _journal_lines(self, reference: str) -> list[Row]:
        o = self.options
        fields = ["GeneralLedgerTransaction", "GeneralLedgerJournalControl", "AccountingEntity", "AccountCode",
                  o.cost_center_dimension, "TransactionAmount", "PostingDate", "Description", "Reference"]  # fmt: skip
        where = {"FinanceEnterpriseGroup": o.enterprise_group, "Reference": reference}
        try:
            return self.client.select(o.journal_class, list(dict.fromkeys(fields)), where,
                                      key=("GeneralLedgerTransaction",))  # fmt: skip
        except FsmError as exc:
            raise FsmError(
                o.journal_class,
                f"released lines cannot be read ({exc.message}); set "
                "cloudsuite.fsm.journal_class to the tenant's GL transaction class",
                code=exc.code,
            ) from exc

    def _posted(self, reference: str, group: str, rows: list[Row]) -> PostedJournal:
        lines = tuple(
            JournalLine(account=r.get("AccountCode", ""), cost_center=r.get(self.options.cost_center_dimension) or None,
                        dimensions={}, debit_cents=max(c, 0), credit_cents=max(-c, 0), currency=self.options.currency,
                        text=r.get("Description", ""))
            for r in rows
            for c in [decimal_to_cents(r.get("TransactionAmount", ""), what=f"{reference} TransactionAmount")]
            if c
        )  # fmt: skip
        journals = sorted(
            {f"{r.get('AccountingEntity', '')}/{r.get('GeneralLedgerJournalControl', '')}" for r in rows}
        )
        posting = {r.get("PostingDate", "") for r in rows}
        day = next(iter(posting)) if len(posting) == 1 else ""
        return PostedJournal(
            external_reference=reference, document_id=",".join(journals),
            posting_date=date(int(day[:4]), int(day[4:6]), int(day[6:8])) if re.fullmatch(r"\d{8}", day) else None,
            line_count=len(rows), debit_cents=sum(ln.debit_cents for ln in lines),
            credit_cents=sum(ln.credit_cents for ln in lines), lines=lines, erp_key=group,
        )  # fmt: skip

    # --- the whole posting ---
    def post_journal(self, journal: Journal) -> PostedJournal | SubmittedJournal:
        """Stage (or keep) the run group, edit it, and interface it all or nothing; see the module docstring."""
        reference = journal.external_reference
        group = run_group(reference)
        try:
            found = self.find_journal(reference)
        except JournalRejected:
            found = None  # an earlier attempt was refused: its records are rolled back and staged again below
        if found is not None:
            require_same_totals(journal, found, "FSM journal")
            return found
        records = self.records(journal)
        staged = self.staged(group)
        if staged and _content(staged, self.options.cost_center_dimension) != _content(
            records, self.options.cost_center_dimension
        ):
            log.info("run group %s holds other or partial records; rolling it back", group)
            self.rollback(group)
            staged = []
        if not staged:
            self.stage(journal, records)
        before = max((r.run_id for r in self.results(group)), default=0)
        self.interface(group, edit_only=True)
        edit = self.await_result(group, before)
        if edit.record_count == len(records) and edit.failed_count == 0:
            self.interface(group, edit_only=False)  # clean: no need to read every record's ErrorMessage
            return SubmittedJournal(external_reference=reference, erp_key=group, posting_date=journal.posting_date)
        edited = self.staged(group)
        if not edited:  # an earlier attempt's update run took the records meanwhile
            found = self.find_journal(reference)
            if found is None:
                raise FsmError(INTERFACE, f"run group {group} emptied without a released journal for {reference}; "
                               "check Interface Run Results, then post again")  # fmt: skip
            require_same_totals(journal, found, "FSM journal")
            return found
        errors = [r for r in edited if r.get("ErrorMessage", "").strip()]
        if errors:
            self.rollback(group)
            raise JournalRejected(reference, [_reason(r, r["ErrorMessage"].strip()) for r in errors])
        self.interface(group, edit_only=False)
        return SubmittedJournal(external_reference=reference, erp_key=group, posting_date=journal.posting_date)


def _flag(value: bool) -> str:
    return "true" if value else "false"


def _finished(result: InterfaceResult) -> bool:
    return result.passed_count + result.failed_count == result.record_count


def _content(rows: list[Row], cost_center: str) -> list[tuple[int, str, str, int]]:
    """What must match for staged records to be kept: sequence, account, cost center and amount per line."""
    return sorted(
        (_int(r, SEQUENCE), r.get("AccountCode", ""), r.get(cost_center, ""),
         decimal_to_cents(r.get("TransactionAmount") or "0", what="TransactionAmount"))
        for r in rows
    )  # fmt: skip


def _reason(record: Row, message: str) -> dict[str, object]:
    """A held reason naming the line and, where the message names it, the code FSM refused."""
    values = [v for k, v in record.items() if (k == "AccountCode" or DIMENSION_NAME.match(k)) and v]
    value = next((v for v in values if re.search(rf"\b{re.escape(v)}\b", message)), record.get("AccountCode"))
    line = record.get(SEQUENCE, "")
    return {"check": FSM_REJECTED, "line_no": int(line) if line.isdigit() else None, "value": value,
            "reason": f"FSM: {message}"}  # fmt: skip
