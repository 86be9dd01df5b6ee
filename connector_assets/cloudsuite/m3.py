"""The M3 adapter: chart of accounts and cost centers (CRS630MI), journals (GLS840MI/GLS200MI), employees (CRS530MI)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Literal

from connector_assets.cloudsuite.errors import CloudSuiteError, M3ApiError
from connector_assets.cloudsuite.m3_gl import M3GeneralLedger, M3PostingOptions
from connector_assets.cloudsuite.m3_mi import MiCall, MiClient, Record, parse_ymd8, ymd8
from connector_assets.cloudsuite.types import (
    CostCenter,
    ErpEmployee,
    GlAccount,
    Journal,
    PostedJournal,
    SubmittedJournal,
)

EMPLOYEE_NAME_LENGTH = 36
UpsertOutcome = Literal["added", "updated", "unchanged"]


@dataclass(frozen=True)
class M3Options:
    """Per-tenant M3 facts: page size of MI lists and the GLS850 template of journal postings."""

    page_size: int = 1000
    posting: M3PostingOptions = field(default_factory=M3PostingOptions)


def _blocked(value: str | None) -> bool:
    # LCCD semantics are UNVERIFIED beyond "0 = open": read anything else as blocked.
    return (value or "0").strip() not in ("", "0")


def _identity_fields(rec: Record) -> tuple[str, str, bool, date | None, date | None]:
    code = rec.get("AITM", "")
    try:
        valid_from, valid_to = parse_ymd8(rec.get("VFDT")), parse_ymd8(rec.get("VTDT"))
    except ValueError as exc:
        raise ValueError(f"CRS630MI identity {code!r} (dimension {rec.get('AITP')}): {exc}") from None
    return code, rec.get("TX40") or rec.get("TX15", ""), _blocked(rec.get("LCCD")), valid_from, valid_to


def format_employee_name(first_name: str, last_name: str) -> str:
    """`EMNM` as "Last, First", so the two parts can be read back apart."""
    name = f"{last_name}, {first_name}" if first_name and last_name else (last_name or first_name)
    return name[:EMPLOYEE_NAME_LENGTH]


def split_employee_name(name: str) -> tuple[str, str]:
    """(first, last) from `EMNM`: "Last, First" as written here, else "First Last" as typed in M3."""
    if ", " in name:
        last, first = name.split(", ", 1)
        return first.strip(), last.strip()
    first, _, last = name.strip().partition(" ")
    return first, last.strip()


class M3Erp:
    """`Erp` for Infor M3 through MI REST v2."""

    flavour = "m3"

    def __init__(self, mi: MiClient, *, cost_center_dimension: int = 2, options: M3Options | None = None) -> None:
        self.mi = mi
        self.options = options or M3Options()
        self.cost_center_dimension = cost_center_dimension
        self.gl = M3GeneralLedger(mi, cost_center_dimension=cost_center_dimension, options=self.options.posting)

    def __repr__(self) -> str:
        return f"M3Erp(company={self.mi.company!r}, division={self.mi.division!r})"

    def close(self) -> None:
        """Release the HTTP connections."""
        self.mi.transport.close()

    # --- master data ---
    def _identities(self, dimension: int) -> Iterator[Record]:
        return self.mi.list_from(
            "CRS630MI",
            "LstAccountID",
            {"AITP": str(dimension), "DIVI": self.mi.division},
            key="AITM",
            page_size=self.options.page_size,
        )

    def list_gl_accounts(self) -> list[GlAccount]:
        """Every account (dimension 1), blocked ones included, with validity dates."""
        return [GlAccount(*_identity_fields(rec)) for rec in self._identities(1)]

    def list_cost_centers(self) -> list[CostCenter]:
        """Every value of the connection's cost-center dimension."""
        return [CostCenter(*_identity_fields(rec)) for rec in self._identities(self.cost_center_dimension)]

    def list_master_data(self) -> tuple[list[GlAccount], list[CostCenter]]:
        """Accounts and cost centers together: each bulk POST carries the next page of both listings."""
        dimension = self.cost_center_dimension
        accounts, centers = self.mi.list_many(
            "CRS630MI",
            "LstAccountID",
            [{"AITP": "1", "DIVI": self.mi.division}, {"AITP": str(dimension), "DIVI": self.mi.division}],
            key="AITM",
            names=["accounts (dimension 1)", f"cost centers (dimension {dimension})"],
            page_size=self.options.page_size,
        )
        return [GlAccount(*_identity_fields(r)) for r in accounts], [
            CostCenter(*_identity_fields(r)) for r in centers
        ]

    # --- journals ---
    def find_journal(self, reference: str, *, posting_date: date | None = None) -> PostedJournal | None:
        """The voucher posted under `reference`; give `posting_date` to search that day only."""
        return self.gl.find_journal(reference, posting_date=posting_date)

    def post_journal(self, journal: Journal) -> PostedJournal | SubmittedJournal:
        """Post `journal` exactly once as one voucher; submitted while M3 creates the voucher (see `m3_gl`)."""
        return self.gl.post_journal(journal)

    def accepted_key(self, journal: Journal) -> str | None:
        """The batch key if M3 took `journal` for the ledger and its voucher is still to come (see `m3_gl`)."""
        return self.gl.accepted_key(journal)

    # --- employees ---
    def list_employees(self) -> list[ErpEmployee]:
        """Every employee of the division (CRS530MI LstEmployee, paged by employee number)."""
        inputs = {
            "FCOM": self.mi.company,
            "TCOM": self.mi.company,
            "FDIV": self.mi.division,
            "TDIV": self.mi.division,
        }
        records = self.mi.list_from(
            "CRS530MI", "LstEmployee", inputs, key="FEMN", output_key="EMNO", page_size=self.options.page_size
        )
        return [_employee(rec) for rec in records]

    def _range(self, number: str) -> dict[str, str]:
        return {
            "FCOM": self.mi.company,
            "TCOM": self.mi.company,
            "FDIV": self.mi.division,
            "TDIV": self.mi.division,
            "FEMN": number,
            "TEMN": number,
        }

    def _get(self, number: str) -> ErpEmployee | None:
        rows = self.mi.execute(
            "CRS530MI", "LstEmployee", self._range(number), maxrecs=2, record=f"employee {number}"
        )
        return _found(rows, number)

    def _upsert_calls(
        self, current: ErpEmployee | None, employee: ErpEmployee
    ) -> tuple[list[MiCall], UpsertOutcome]:
        """The CRS530MI writes that bring `current` (None: not in M3) to `employee`, and what they amount to."""
        who = f"employee {employee.number}"
        basic = {
            "DIVI": self.mi.division,
            "EMNO": employee.number,
            "EMNM": format_employee_name(employee.first_name, employee.last_name),
            "DEPT": employee.department,
            "EBDT": ymd8(employee.hire_date),
            "EEDT": ymd8(employee.termination_date),
            "ACEM": "0" if employee.termination_date else "1",
        }
        time_acc = MiCall("UpdTimeAcc", {"DIVI": self.mi.division, "EMNO": employee.number,
                                         "TACC": employee.cost_center}, who)  # fmt: skip
        if current is None:
            return [MiCall("AddEmployee", basic, who)] + ([time_acc] if employee.cost_center else []), "added"
        if current == employee:
            return [], "unchanged"
        calls = [MiCall("UpdBasicData", basic, who)] if _basic(current) != _basic(employee) else []
        if current.cost_center != employee.cost_center:
            calls.append(time_acc)
        return calls, "updated"

    def upsert_employee(self, employee: ErpEmployee) -> UpsertOutcome:
        """Add the employee or update basic data and cost center; says which happened."""
        calls, outcome = self._upsert_calls(self._get(employee.number), employee)
        for call in calls:
            self.mi.execute("CRS530MI", call.transaction, call.inputs, writes=True, record=call.group)
        return outcome

    def sync_employees(self, employees: Sequence[ErpEmployee]) -> dict[str, UpsertOutcome | CloudSuiteError]:
        """`upsert_employee` for many: reads and writes as bulk POSTs; each employee's outcome or own error.

        Employees the server did not run or did not report on (a batch stopped at an earlier error, an error
        given only at the top level) are redone one by one: `upsert_employee` reads before it writes.
        """
        results: dict[str, UpsertOutcome | CloudSuiteError] = {}
        reads = [MiCall("LstEmployee", self._range(e.number), f"employee {e.number}") for e in employees]
        redo: list[ErpEmployee] = []
        writes: list[MiCall] = []
        planned: dict[str, UpsertOutcome] = {}
        for employee, found in zip(employees, self.mi.execute_bulk("CRS530MI", reads, maxrecs=2), strict=True):
            if found is None:
                redo.append(employee)
            elif isinstance(found, M3ApiError):
                results[employee.number] = found
            else:
                calls, planned[employee.number] = self._upsert_calls(_found(found, employee.number), employee)
                writes.extend(calls)
        written = self.mi.execute_bulk("CRS530MI", writes, writes=True)
        by_number = {e.number: e for e in employees}
        unreported = set()
        for call, written_one in zip(writes, written, strict=True):
            number = call.inputs["EMNO"]
            if written_one is None:
                unreported.add(number)
            elif isinstance(written_one, M3ApiError) and number not in results:
                results[number] = written_one  # the first error is the cause; the employee's later calls follow it
        for number, planned_one in planned.items():
            if number in unreported:
                results.pop(number, None)
                redo.append(by_number[number])
            else:
                results.setdefault(number, planned_one)
        for employee in redo:
            try:
                outcome = self.upsert_employee(employee)
            except CloudSuiteError as exc:
                results[employee.number] = exc
                continue
            # "unchanged" after an unreported bulk write means that write went through: it is what happened.
            results[employee.number] = planned.get(employee.number, outcome) if outcome == "unchanged" else outcome
        return results

    def terminate_employee(self, employee_number: str, termination_date: date) -> None:
        """Set the termination date and clear the active flag (CRS530MI UpdBasicData)."""
        inputs = {"DIVI": self.mi.division, "EMNO": employee_number, "EEDT": ymd8(termination_date), "ACEM": "0"}
        self.mi.execute("CRS530MI", "UpdBasicData", inputs, writes=True, record=f"employee {employee_number}")


def _basic(e: ErpEmployee) -> tuple[object, ...]:
    return (e.first_name, e.last_name, e.department, e.hire_date, e.termination_date)


def _found(rows: list[Record], number: str) -> ErpEmployee | None:
    return next((_employee(r) for r in rows if r.get("EMNO") == number), None)


def _employee(rec: Record) -> ErpEmployee:
    first, last = split_employee_name(rec.get("EMNM", ""))
    number = rec.get("EMNO", "")
    try:
        hire, term = parse_ymd8(rec.get("EBDT")), parse_ymd8(rec.get("EEDT"))
    except ValueError as exc:
        raise ValueError(f"CRS530MI employee {number!r}: {exc}") from None
    return ErpEmployee(
        number=number,
        first_name=first,
        last_name=last,
        department=rec.get("DEPT", ""),
        cost_center=rec.get("TACC") or rec.get("TMCC", ""),
        hire_date=hire,
        termination_date=term,
    )
