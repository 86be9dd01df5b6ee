"""Landmark list reads: `GET …/classes/{BusinessClass}/lists/{ListName}` over the FSM state.

Strict where the reference is: `_fields` is required, `_limit` defaults to 5, the answer is an array whose
first element is metadata and whose values are all strings, `_recordCountOnly` answers an object.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping

from connector_assets.sandbox.ion.fsm_model import DIMENSIONS, INTERFACE_FIELDS, FsmState, flag, money
from connector_assets.sandbox.ion.fsm_posting import process_run

Row = dict[str, str]
Body = list[dict[str, object]] | dict[str, object]
_CLAUSE = re.compile(r'^\s*([A-Za-z][\w.]*)\s*=\s*(?:"([^"]*)"|(\S+))\s*$')


class ListError(Exception):
    """A bad list request: answered with HTTP 400 and `{"code", "message"}`."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def _chart(state: FsmState) -> Iterator[Row]:
    kinds = {"A": "1", "L": "2", "Q": "3", "R": "4", "E": "5"}
    for (group, code), acct in sorted(state.accounts.items()):
        yield {"FinanceEnterpriseGroup": group, "GeneralLedgerChartAccount": code, "Account": code,
               "DisplayAccount": code, "AccountDescription": acct.name, "ChartSection": kinds.get(acct.type, "5"),
               "AccountType": kinds.get(acct.type, "5"), "Active": flag(not acct.blocked)}  # fmt: skip


def _dimension_rows(name: str) -> Callable[[FsmState], Iterator[Row]]:
    def rows(state: FsmState) -> Iterator[Row]:
        active = state.config.accounting_unit_active_field if name == "AccountingUnit" else "Active"
        for (group, code), value in sorted(state.dimensions[name].items()):
            yield {"FinanceEnterpriseGroup": group, name: code, "Description": value.name,
                   active: flag(not value.blocked)}  # fmt: skip

    return rows


def _entities(state: FsmState) -> Iterator[Row]:
    for code, (name, status) in sorted(state.entities.items()):
        yield {"FinanceEnterpriseGroup": state.config.enterprise_group, "AccountingEntity": code,
               "Description": name, "Status": status}  # fmt: skip


def _staged(state: FsmState) -> Iterator[Row]:
    key = state.config.error_message_key
    for _, row in sorted(state.staged.items()):
        yield {**{f: row.fields.get(f, "") for f in INTERFACE_FIELDS}, key: row.error}


def _results(state: FsmState) -> Iterator[Row]:
    # Only finished runs are listed; `ResultSequence` is never returned (as in the public live sample).
    for run in state.runs:
        if run.done:
            yield {"FinanceEnterpriseGroup": state.config.enterprise_group,
                   "GLTransactionInterfaceResult": str(run.result_id), "RunGroup": run.run_group,
                   "Status": state.config.result_status, "RecordCount": str(run.record_count),
                   "PassedCount": str(run.passed_count), "FailedCount": str(run.failed_count)}  # fmt: skip


def _journal(state: FsmState) -> Iterator[Row]:
    # Released lines never change: render each once, so paging a large journal stays linear.
    for line in state.posted[len(state.rendered_journal) :]:
        state.rendered_journal.append(
            {"FinanceEnterpriseGroup": state.config.enterprise_group, "AccountingEntity": line.entity,
             "GeneralLedgerTransaction": str(line.transaction), "GeneralLedgerJournalControl": str(line.journal),
             "JournalCode": line.journal_code, "System": line.system, "AccountCode": line.account,
             "PostingDate": line.posting_date.strftime("%Y%m%d"), "TransactionAmount": money(line.amount),
             "Reference": line.reference, "DocumentNumber": line.document_number,
             "Description": line.description, "RunGroup": line.run_group,
             **{d: line.dimensions.get(d, "") for d in DIMENSIONS}}
        )  # fmt: skip
    return iter(state.rendered_journal)


# (business class, list name) -> rows and the fields a `_fields=_all` request returns.
CLASSES: dict[str, tuple[set[str], Callable[[FsmState], Iterator[Row]]]] = {
    "GeneralLedgerChartAccount": ({"_generic", "DetailAccountList"}, _chart),
    "Account": ({"DetailAccountList"}, _chart),
    "AccountingEntity": ({"_generic"}, _entities),
    "GLTransactionInterface": ({"_generic"}, _staged),
    "GLTransactionInterfaceResult": ({"_generic"}, _results),
    **{name: ({"_generic"}, _dimension_rows(name)) for name in DIMENSIONS},
}


def _parse_filter(text: str) -> list[tuple[str, str]]:
    """`A = "x" and B = true` -> [(A, x), (B, true)]; only equality joined by `and` is simulated."""
    clauses = []
    for part in re.split(r"\s+and\s+", text.strip()):
        match = _CLAUSE.match(part)
        if not match:
            raise ListError("InvalidFilter", f'_lplFilter clause {part!r} is not understood (use Field = "value")')
        clauses.append((match.group(1), match.group(2) if match.group(2) is not None else match.group(3)))
    return clauses


def _int_param(params: Mapping[str, str], name: str, default: int) -> int:
    raw = params.get(name)
    if raw is None or raw == "":
        return default
    if not re.fullmatch(r"-?\d+", raw):
        raise ListError("InvalidParameter", f"{name}={raw!r} is not an integer")
    return int(raw)


def list_records(state: FsmState, business_class: str, list_name: str, params: Mapping[str, str]) -> Body:
    """Answer one list request (the caller holds no lock); raises ListError for a bad request."""
    entry = CLASSES.get(business_class)
    if business_class == state.config.journal_class:
        entry = ({"_generic"}, _journal)
    if entry is None:
        raise ListError("BusinessClassNotFound", f"business class {business_class} does not exist")
    lists, source = entry
    if list_name not in lists:
        raise ListError("ListNotFound", f"list {list_name} does not exist on business class {business_class}")
    with state.lock:
        if business_class == "GLTransactionInterfaceResult":
            _advance_runs(state)
        rows = list(source(state))
    known = set(rows[0]) if rows else set()
    clauses = _parse_filter(params["_lplFilter"]) if params.get("_lplFilter") else []
    offset = _int_param(params, "_offset", 0)
    if params.get("_recordCountOnly", "").lower() == "true":
        return {"_count": sum(1 for r in rows if _matches(r, clauses, business_class))}
    requested = params.get("_fields")
    if not requested:
        raise ListError("MissingParameter", "_fields is required: name the fields to return, or _all")
    fields = _fields(requested, rows, known, business_class)
    limit = min(_int_param(params, "_limit", state.config.default_limit), state.config.max_limit)
    if offset and state.config.paging_drops_filter:
        clauses = []
    matching = [r for r in rows if _matches(r, clauses, business_class)]
    page = matching[offset : offset + max(limit, 0)]
    body: list[dict[str, object]] = [{"_count": len(matching), "_links": []}]
    body += [{"_fields": {f: r[f] for f in fields if f in r}} for r in page]
    return body


def _matches(row: Row, clauses: list[tuple[str, str]], business_class: str) -> bool:
    for name, value in clauses:
        actual = row.get(name)
        if actual is None:
            spelled = {k.strip(): k for k in row}  # a quirky key (leading space) filters by its plain name
            if name not in spelled:
                raise ListError("InvalidFilter", f"field {name} does not exist in business class {business_class}")
            actual = row[spelled[name]]
        if actual != value:
            return False
    return True


def _fields(requested: str, rows: list[Row], known: set[str], business_class: str) -> list[str]:
    names = [n.strip() for n in requested.split(",") if n.strip()]
    if names == ["_all"]:
        return sorted(known)
    spelled = {k.strip(): k for k in known}
    unknown = [n for n in names if known and n not in spelled and n != "ResultSequence"]
    if unknown:
        raise ListError(
            "InvalidField", f"field(s) {', '.join(unknown)} do not exist in business class {business_class}"
        )
    # A key with a quirk (leading space) is echoed the way the tenant spells it.
    return [spelled.get(n, n) for n in names]


def _advance_runs(state: FsmState) -> None:
    """Each read of the result list brings queued Interface Transactions jobs one poll closer to done."""
    for run in state.runs:
        if run.done:
            continue
        if run.polls_left <= 0:
            process_run(state, run)
        else:
            run.polls_left -= 1
