"""The SyteLine (CloudSuite Industrial) adapter over Mongoose IDOs: SLCharts, SLUnitcdNs, SLJournals, SLEmployees.

Property names beyond `Acct`/`Description`/`EmpNum`... are UNVERIFIED (reference §7.3), so all are options.
A journal is inserted in one UpdateCollection request under a Reference of at most 30 characters; a retry
first looks that Reference up, so a journal is never inserted twice.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Literal

from connector_assets.cloudsuite.errors import PostingConflict, RecordNotFound
from connector_assets.cloudsuite.money import cents_to_decimal, decimal_to_cents
from connector_assets.cloudsuite.mongoose import INSERT, UPDATE, IdoClient, Item, change, format_datetime, quote
from connector_assets.cloudsuite.mongoose import parse_datetime as _parse_datetime
from connector_assets.cloudsuite.types import (
    CostCenter,
    ErpEmployee,
    GlAccount,
    Journal,
    JournalLine,
    PostedJournal,
)

REFERENCE_LENGTH = 30


@dataclass(frozen=True)
class SyteLineOptions:
    """Per-site IDO property names and journal settings."""

    page_size: int = 1000
    journal_id: str = "GJ"
    chart: Mapping[str, str] = field(
        default_factory=lambda: {
            "account": "Acct",
            "description": "Description",
            "active": "Active",
            "effective": "EffDate",
            "obsolete": "ObsDate",
        }
    )
    unit_code: str = "UnitCode{n}"
    unit_description: str = "Description"
    unit_active: str = "Active"
    journal: Mapping[str, str] = field(
        default_factory=lambda: {
            "id": "Id",
            "seq": "Seq",
            "date": "TransDate",
            "account": "Acct",
            "unit": "AcctUnit{n}",
            "amount": "DomAmount",
            "reference": "Ref",
        }
    )
    employee: Mapping[str, str] = field(
        default_factory=lambda: {
            "number": "EmpNum",
            "first_name": "Fname",
            "last_name": "Lname",
            "name": "Name",
            "department": "Dept",
            "hire_date": "HireDate",
            "term_date": "TermDate",
        }
    )
    # SLEmployees has no documented cost-center property; name one here to read and write it.
    employee_cost_center: str | None = None


def journal_reference(external_reference: str) -> str:
    """The SLJournals Reference: the external reference when it fits 30 characters, else a stable digest of it."""
    if len(external_reference) <= REFERENCE_LENGTH:
        return external_reference
    digest = base64.b32encode(hashlib.sha256(external_reference.encode()).digest()).decode()[:10]
    return f"{external_reference[: REFERENCE_LENGTH - 11]}~{digest}"


def _date(item: Item, prop: str, what: str) -> date | None:
    try:
        return _parse_datetime(item.get(prop))
    except ValueError as exc:
        raise ValueError(f"{what}: {prop} {exc}") from None


def _active(value: str | None) -> bool:
    return (value or "1").strip().lower() not in ("0", "false", "no", "n")


class SyteLineErp:
    """`Erp` for CloudSuite Industrial (SyteLine) through Mongoose IDO REST v2."""

    flavour = "syteline"

    def __init__(
        self, ido: IdoClient, *, cost_center_unit: int = 2, options: SyteLineOptions | None = None
    ) -> None:
        if not 1 <= cost_center_unit <= 4:
            raise ValueError(f"cost center unit code {cost_center_unit} must be 1..4 (SLUnitcd1s..SLUnitcd4s)")
        self.ido = ido
        self.unit = cost_center_unit
        self.options = options or SyteLineOptions()

    def __repr__(self) -> str:
        return f"SyteLineErp(configuration={self.ido.configuration!r}, unit={self.unit})"

    def close(self) -> None:
        """Release the HTTP connections."""
        self.ido.transport.close()

    # --- master data ---
    def list_gl_accounts(self) -> list[GlAccount]:
        """Every account of SLCharts with its active flag and effective/obsolete dates."""
        n = self.options.chart
        props = [n["account"], n["description"], n["active"], n["effective"], n["obsolete"]]
        rows = self.ido.load("SLCharts", props, orderby=n["account"], page_size=self.options.page_size)
        return [
            GlAccount(
                account=r[n["account"]],
                name=r.get(n["description"], ""),
                blocked=not _active(r.get(n["active"])),
                valid_from=_date(r, n["effective"], f"account {r[n['account']]}"),
                valid_to=_date(r, n["obsolete"], f"account {r[n['account']]}"),
            )
            for r in rows
        ]

    def list_cost_centers(self) -> list[CostCenter]:
        """Every value of the cost-center unit code (SLUnitcdNs)."""
        code = self.options.unit_code.format(n=self.unit)
        props = [code, self.options.unit_description, self.options.unit_active]
        rows = self.ido.load(f"SLUnitcd{self.unit}s", props, orderby=code, page_size=self.options.page_size)
        return [
            CostCenter(
                code=r[code],
                name=r.get(self.options.unit_description, ""),
                blocked=not _active(r.get(self.options.unit_active)),
            )
            for r in rows
        ]

    # --- journals ---
    def _unit_prop(self, number: int) -> str:
        return self.options.journal["unit"].format(n=number)

    def find_journal(self, reference: str, *, posting_date: date | None = None) -> PostedJournal | None:
        """The journal rows inserted under `reference` (filtered by Reference), summed up; None if there are none."""
        n = self.options.journal
        ref = journal_reference(reference)
        unit = self._unit_prop(self.unit)
        props = [n["id"], n["seq"], n["date"], n["amount"], n["reference"], n["account"], unit]
        rows = list(
            self.ido.load(
                "SLJournals",
                props,
                filter=f"{n['reference']} = {quote(ref)}",
                orderby=n["seq"],
                page_size=self.options.page_size,
                record=reference,
            )
        )
        rows = [r for r in rows if r.get(n["reference"]) == ref]  # the filter is case-insensitive
        if not rows:
            return None
        amounts = [decimal_to_cents(r.get(n["amount"], ""), what=f"{reference} {n['amount']}") for r in rows]
        seqs = [r.get(n["seq"], "") for r in rows]
        return PostedJournal(
            external_reference=reference,
            document_id=f"{rows[0].get(n['id'], '')}/{ref}#{seqs[0]}-{seqs[-1]}",
            posting_date=_date(rows[0], n["date"], reference),
            line_count=len(rows),
            debit_cents=sum(a for a in amounts if a > 0),
            credit_cents=-sum(a for a in amounts if a < 0),
            lines=tuple(
                JournalLine(
                    account=r.get(n["account"], ""),
                    cost_center=r.get(unit) or None,
                    dimensions={},
                    debit_cents=max(a, 0),
                    credit_cents=max(-a, 0),
                    currency="",
                )
                for r, a in zip(rows, amounts, strict=True)
                if a
            ),
            erp_key=ref,
        )

    def post_journal(self, journal: Journal) -> PostedJournal:
        """Insert all lines in one request, unless the Reference is already there; returns what SyteLine holds."""
        posted = self.find_journal(journal.external_reference)
        if posted is None:
            n, ref = self.options.journal, journal_reference(journal.external_reference)
            changes = []
            for number, line in enumerate(journal.lines, start=1):
                if line.currency != journal.currency:
                    raise ValueError(
                        f"journal {journal.external_reference} line {number}: currency {line.currency} "
                        f"differs from the journal's {journal.currency}"
                    )
                props: dict[str, str | None] = {
                    n["id"]: self.options.journal_id,
                    n["date"]: format_datetime(journal.posting_date),
                    n["account"]: line.account,
                    n["amount"]: cents_to_decimal(line.signed_cents),
                    n["reference"]: ref,
                }
                for name, value in line.dimensions.items():
                    props[self._unit_prop(_unit_number(name))] = value
                if line.cost_center:
                    props[self._unit_prop(self.unit)] = line.cost_center
                changes.append(change(INSERT, props))
            self.ido.update("SLJournals", changes, record=journal.external_reference)
            posted = self.find_journal(journal.external_reference)
            if posted is None:
                raise PostingConflict(
                    f"journal {journal.external_reference}: SLJournals accepted the rows but "
                    f"Reference {ref!r} cannot be read back; check the Ref property name"
                )
        expected = (len(journal.lines), journal.debit_cents, journal.credit_cents)
        if (posted.line_count, posted.debit_cents, posted.credit_cents) != expected:
            raise PostingConflict(
                f"journal {journal.external_reference}: SyteLine holds {posted.line_count} rows, debit "
                f"{posted.debit_cents} / credit {posted.credit_cents} cents under {posted.document_id}, but the "
                f"journal has {expected[0]} lines, {expected[1]} / {expected[2]}; reverse before posting again"
            )
        return posted

    # --- employees ---
    def _employee_props(self) -> list[str]:
        e = self.options.employee
        props = [e["number"], e["first_name"], e["last_name"], e["department"], e["hire_date"], e["term_date"]]
        return props + ([self.options.employee_cost_center] if self.options.employee_cost_center else [])

    def _employee(self, item: Item) -> ErpEmployee:
        e = self.options.employee
        who = f"employee {item.get(e['number'], '')}"
        return ErpEmployee(
            number=item.get(e["number"], ""),
            first_name=item.get(e["first_name"], ""),
            last_name=item.get(e["last_name"], ""),
            department=item.get(e["department"], ""),
            cost_center=item.get(self.options.employee_cost_center, "")
            if self.options.employee_cost_center
            else "",
            hire_date=_date(item, e["hire_date"], who),
            termination_date=_date(item, e["term_date"], who),
        )

    def list_employees(self) -> list[ErpEmployee]:
        """Every employee of SLEmployees."""
        e = self.options.employee
        rows = self.ido.load(
            "SLEmployees", self._employee_props(), orderby=e["number"], page_size=self.options.page_size
        )
        return [self._employee(r) for r in rows]

    def _find_employee(self, number: str) -> tuple[ErpEmployee, str] | None:
        e = self.options.employee
        rows = self.ido.load(
            "SLEmployees",
            self._employee_props(),
            filter=f"{e['number']} = {quote(number)}",
            record=f"employee {number}",
        )
        for row in rows:
            if row.get(e["number"]) == number:
                return self._employee(row), row.get("_ItemId", "")
        return None

    def upsert_employee(self, employee: ErpEmployee) -> Literal["added", "updated", "unchanged"]:
        """Insert or update the employee (optimistic locking with the row's `_ItemId`)."""
        e = self.options.employee
        props: dict[str, str | None] = {
            e["first_name"]: employee.first_name,
            e["last_name"]: employee.last_name,
            e["name"]: employee.full_name,
            e["department"]: employee.department,
            e["hire_date"]: format_datetime(employee.hire_date),
            e["term_date"]: format_datetime(employee.termination_date),
        }
        if self.options.employee_cost_center:
            props[self.options.employee_cost_center] = employee.cost_center
        found = self._find_employee(employee.number)
        who = f"employee {employee.number}"
        if found is None:
            self.ido.update("SLEmployees", [change(INSERT, {e["number"]: employee.number, **props})], record=who)
            return "added"
        current, item_id = found
        wanted = employee if self.options.employee_cost_center else _without_cost_center(employee)
        if current == wanted:
            return "unchanged"
        self.ido.update(
            "SLEmployees", [change(UPDATE, {e["number"]: employee.number, **props}, item_id)], record=who
        )
        return "updated"

    def terminate_employee(self, employee_number: str, termination_date: date) -> None:
        """Set the employee's termination date."""
        e = self.options.employee
        found = self._find_employee(employee_number)
        who = f"employee {employee_number}"
        if found is None:
            raise RecordNotFound(f"{who} does not exist in SLEmployees; add it before terminating it")
        props = {e["number"]: employee_number, e["term_date"]: format_datetime(termination_date)}
        self.ido.update("SLEmployees", [change(UPDATE, props, found[1])], record=who)


def _without_cost_center(employee: ErpEmployee) -> ErpEmployee:
    return replace(employee, cost_center="")


def _unit_number(name: str) -> int:
    digits = "".join(ch for ch in name if ch.isdigit())
    if not digits or not 1 <= int(digits) <= 4:
        raise ValueError(f"dimension {name!r}: SyteLine has unit codes 1..4 (use '3' or 'AcctUnit3')")
    return int(digits)
