"""FSM journal interfacing: stage `GLTransactionInterface` records, run Interface Transactions, roll back.

Staging (`CreateUnreleased/batch`) checks only the record layout; account, dimension, period and balance
errors are found by an Interface Transactions run and written to each record's `ErrorMessage`. Runs are
asynchronous: the form operation only queues them, and a run is processed after a few reads of the result
list (`FsmConfig.complete_after_polls`).
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from typing import Any

from connector_assets.sandbox.ion.fsm_model import (
    DIMENSIONS,
    INTERFACE_FIELDS,
    REQUIRED_FIELDS,
    FsmState,
    InterfaceRun,
    PostedLine,
    StagedRow,
    long_date,
    money,
)

_AMOUNT = re.compile(r"^-?\d{1,15}(\.\d{1,2})?$")
_KNOWN = frozenset(INTERFACE_FIELDS)


class FormError(Exception):
    """A bad form-operation or batch request: HTTP 400 with `{"code", "message"}`."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def _exception(code: str, message: str) -> dict[str, Any]:
    return {"exception": {"code": code, "message": message}}


def _record_problem(state: FsmState, record: Any) -> tuple[str, str] | None:
    """Why a `_records` item cannot be staged (layout only), or None."""
    if not isinstance(record, dict) or not isinstance(record.get("_fields"), dict):
        return "InvalidRecord", "each record needs a _fields object"
    if record.get("message") != "BatchImport":
        return "InvalidRecord", 'each record needs "message": "BatchImport"'
    fields = record["_fields"]
    unknown = sorted(set(fields) - _KNOWN)
    if unknown:
        return (
            "InvalidField",
            f"field(s) {', '.join(unknown)} do not exist in business class GLTransactionInterface",
        )
    not_text = sorted(k for k, v in fields.items() if not isinstance(v, str))
    if not_text:
        return "InvalidValue", f"field(s) {', '.join(not_text)}: send every value as a string"
    missing = [f for f in REQUIRED_FIELDS if not fields.get(f)]
    if missing:
        return "FieldRequired", f"field(s) {', '.join(missing)} are required"
    if fields["FinanceEnterpriseGroup"] != state.config.enterprise_group:
        return "InvalidValue", f"Finance Enterprise Group {fields['FinanceEnterpriseGroup']} does not exist"
    if not re.fullmatch(r"\d{1,9}", fields["GLTransactionInterface.SequenceNumber"]):
        return "InvalidValue", "GLTransactionInterface.SequenceNumber must be a positive number"
    if len(fields["GLTransactionInterface.RunGroup"]) > 30:
        return "InvalidValue", "GLTransactionInterface.RunGroup is longer than 30 characters"
    if not re.fullmatch(r"\d{8}", fields["PostingDate"]) or _date(fields["PostingDate"]) is None:
        return "InvalidValue", f"PostingDate {fields['PostingDate']!r} is not a date (YYYYMMDD)"
    if not _AMOUNT.match(fields.get("TransactionAmount", "0")):
        return (
            "InvalidValue",
            f"TransactionAmount {fields.get('TransactionAmount')!r} is not an amount like -12.34",
        )
    return None


def _date(text: str) -> date | None:
    try:
        return date(int(text[:4]), int(text[4:6]), int(text[6:8]))
    except ValueError:
        return None


def create_unreleased(state: FsmState, body: Any, params: Mapping[str, str]) -> dict[str, Any]:
    """`POST …/GLTransactionInterface/actions/CreateUnreleased/batch`; per-record `exception` objects.

    Without `_maxFailures=-1` the batch stops at the first failing record (later ones are not processed).
    """
    if not isinstance(body, dict) or not isinstance(body.get("_records"), list):
        raise FormError(
            "InvalidRequest", 'the body must be {"_records": [{"message": "BatchImport", "_fields": {...}}]}'
        )
    records = body["_records"]
    if len(records) > state.config.batch_max_records:
        raise FormError(
            "TooManyRecords", f"{len(records)} records in one batch; send at most {state.config.batch_max_records}"
        )
    max_failures = params.get("_maxFailures", "0")
    if not re.fullmatch(r"-?\d+", max_failures):
        raise FormError("InvalidParameter", f"_maxFailures={max_failures!r} is not an integer")
    allowed = int(max_failures)
    answers: list[dict[str, Any]] = []
    failures = 0
    with state.lock:
        for record in records:
            if allowed >= 0 and failures > allowed:
                answers.append(
                    _exception("NotProcessed", "not processed: the batch stopped at an earlier failure")
                )
                continue
            problem = _record_problem(state, record)
            if problem is None:
                row = StagedRow({k: v for k, v in record["_fields"].items()})
                key = (row.run_group, row.sequence)
                if key in state.staged:
                    problem = ("DuplicateRecord", f"run group {key[0]} sequence {key[1]} already exists")
                else:
                    state.staged[key] = row
                    answers.append({"_fields": {"GLTransactionInterface.RunGroup": key[0],
                                                "GLTransactionInterface.SequenceNumber": str(key[1])}})  # fmt: skip
                    continue
            failures += 1
            answers.append(_exception(*problem))
    return {"_records": answers, "_count": len(records) - failures}


def _flag(params: Mapping[str, str], name: str) -> bool:
    value = params.get(name, "false").lower()
    if value not in ("true", "false"):
        raise FormError("InvalidParameter", f"{name}={params.get(name)!r}: use true or false")
    return value == "true"


def _form_params(state: FsmState, params: Mapping[str, str]) -> str:
    if state.config.require_cm_all and params.get("_cmAll", "").lower() != "true":
        raise FormError("InvalidRequest", "form operations need _cmAll=true")
    missing = [p for p in ("PrmRunGroup", "PrmEnterpriseGroup") if not params.get(p)]
    if missing:
        raise FormError("FieldRequired", f"parameter(s) {', '.join(missing)} are required")
    if params["PrmEnterpriseGroup"] != state.config.enterprise_group:
        raise FormError("InvalidValue", f"Finance Enterprise Group {params['PrmEnterpriseGroup']} does not exist")
    return params["PrmRunGroup"]


def interface_transactions(state: FsmState, params: Mapping[str, str]) -> dict[str, Any]:
    """The Interface Transactions form operation: queues a run (edit-only, partial or all-or-nothing)."""
    run_group = _form_params(state, params)
    edit_only = _flag(params, "PrmEditOnly")
    partial = _flag(params, "PrmPartialUpdate")
    if not _flag(params, "PrmEditAndInterface") and state.config.require_edit_and_interface:
        edit_only = True  # the reported behaviour: without the flag the run stays "Edit Only = Yes"
    entity = params.get("PrmAccountingEntity", "")
    if entity and entity not in state.entities:
        raise FormError("InvalidValue", f"Accounting Entity {entity} does not exist")
    run = InterfaceRun(
        state.new_result_id(), run_group, entity, edit_only, partial, state.config.complete_after_polls
    )
    with state.lock:
        state.runs.append(run)
    return {"_success": "true", "message": f"Interface Transactions submitted for run group {run_group}"}


def delete_run_group(state: FsmState, params: Mapping[str, str]) -> dict[str, Any]:
    """DeleteAllTransactionsForRunGroup: remove every staged record of the run group (nothing posted changes)."""
    run_group = _form_params(state, params)
    with state.lock:
        keys = [k for k in state.staged if k[0] == run_group]
        for key in keys:
            del state.staged[key]
    return {"_success": "true", "message": f"{len(keys)} transactions deleted from run group {run_group}"}


def _line_error(state: FsmState, row: StagedRow) -> str:
    f = row.fields
    group, entity = f["FinanceEnterpriseGroup"], f["AccountingEntity"]
    if entity not in state.entities:
        return f"Accounting Entity {entity} does not exist"
    if state.entities[entity][1] != "1":
        return f"Accounting Entity {entity} is not active"
    account = state.accounts.get((group, f["AccountCode"]))
    if account is None:
        return f"Account {f['AccountCode']} does not exist in Finance Enterprise Group {group}"
    if account.blocked:
        return f"Account {f['AccountCode']} is inactive"
    for name in DIMENSIONS:
        code = f.get(name, "")
        if not code:
            continue
        value = state.dimensions[name].get((group, code))
        label = "Accounting Unit" if name == "AccountingUnit" else f"Finance Dimension {name[16:]}"
        if value is None:
            return f"{label} {code} does not exist"
        if value.blocked:
            return f"{label} {code} is inactive"
    journal_code = f.get("JournalCode", "")
    if journal_code and state.config.journal_codes is not None and journal_code not in state.config.journal_codes:
        return f"Journal Code {journal_code} does not exist"
    posting = _date(f["PostingDate"])
    assert posting is not None  # checked at staging
    if (posting.year, posting.month) in state.closed_periods:
        return f"No open period found for Posting Date {long_date(posting)}"
    return ""


def process_run(state: FsmState, run: InterfaceRun) -> None:
    """Edit the run group's records; unless edit-only, release the clean entities (all or nothing per entity)."""
    rows = [r for k, r in sorted(state.staged.items()) if k[0] == run.run_group and not r.interfaced]
    rows = [r for r in rows if not run.entity or r.fields["AccountingEntity"] == run.entity]
    for row in rows:
        row.error = _line_error(state, row)
    totals: dict[str, Decimal] = defaultdict(Decimal)
    for row in rows:
        totals[row.fields["AccountingEntity"]] += Decimal(row.fields.get("TransactionAmount") or "0")
    for row in rows:
        off = totals[row.fields["AccountingEntity"]]
        if off and not row.error:
            row.error = (
                f"Journal for Accounting Entity {row.fields['AccountingEntity']} is out of balance by {money(off)}"
            )
    failing_entities = {r.fields["AccountingEntity"] for r in rows if r.error}
    released = [] if run.edit_only else [
        r for r in rows if not r.error and (run.partial_update or r.fields["AccountingEntity"] not in failing_entities)
    ]  # fmt: skip
    _release(state, run, released)
    run.record_count = len(rows)
    run.passed_count = len(released) if not run.edit_only else sum(1 for r in rows if not r.error)
    run.failed_count = run.record_count - run.passed_count
    run.done = True


def _release(state: FsmState, run: InterfaceRun, rows: list[StagedRow]) -> None:
    by_entity: dict[str, list[StagedRow]] = defaultdict(list)
    for row in rows:
        by_entity[row.fields["AccountingEntity"]].append(row)
    for entity, lines in sorted(by_entity.items()):
        journal = state.next_journal
        state.next_journal += 1
        for row in lines:
            f = row.fields
            posting = _date(f["PostingDate"])
            assert posting is not None
            state.posted.append(PostedLine(
                transaction=state.next_transaction, journal=journal, entity=entity, account=f["AccountCode"],
                posting_date=posting, amount=Decimal(f.get("TransactionAmount") or "0"),
                dimensions={d: f[d] for d in DIMENSIONS if f.get(d)}, reference=f.get("Reference", ""),
                document_number=f.get("DocumentNumber", ""), description=f.get("Description", ""),
                journal_code=f.get("JournalCode", ""), system=f.get("System", ""), run_group=run.run_group,
            ))  # fmt: skip
            state.next_transaction += 1
            if state.config.rows_leave_after_interface:
                del state.staged[(row.run_group, row.sequence)]
            else:
                row.interfaced = True


def complete_runs(state: FsmState) -> int:
    """Process every queued run now (admin); returns how many were processed."""
    with state.lock:
        queued = [r for r in state.runs if not r.done]
        for run in queued:
            process_run(state, run)
    return len(queued)
