"""SyteLine's employee master (SLEmployees): EmpNum is a right-justified 7-character key (reference §12.11).

Every filter and compare uses the expanded key; numbers that do not fit need a mapping to a site number.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import TYPE_CHECKING, Literal

from connector_assets.cloudsuite.errors import RecordNotFound
from connector_assets.cloudsuite.mongoose import INSERT, UPDATE, IdoClient, Item, change, format_datetime, quote
from connector_assets.cloudsuite.mongoose import item_date as _date
from connector_assets.cloudsuite.syteline_schema import IdoNames, SiteSchema, SyteLineSetupError
from connector_assets.cloudsuite.types import ErpEmployee

if TYPE_CHECKING:
    from connector_assets.cloudsuite.syteline import SyteLineOptions


class SyteLineEmployees:
    """The employee half of the SyteLine adapter (`SyteLineErp` supplies the client, options and schema)."""

    ido: IdoClient
    options: SyteLineOptions

    def schema(self, *, refresh: bool = False) -> SiteSchema:
        raise NotImplementedError

    def emp_num(self, number: str) -> str:
        """EmpNum as the site keys it: the mapped number right-justified to 7 characters (EmpNumType)."""
        mapped = self.options.employee_numbers.get(number, number).strip()
        width = self.options.emp_num_width
        if not mapped or len(mapped) > width:
            raise SyteLineSetupError(
                f"employee {number}: SyteLine employee numbers (EmpNum) hold at most {width} characters; map it "
                f"to a site employee number under cloudsuite.syteline.employee_numbers ({number}: <number>)"
            )
        return mapped.rjust(width)

    def _number_of(self, emp_num: str) -> str:
        stripped = emp_num.strip()
        return next((k for k, v in self.options.employee_numbers.items() if v.strip() == stripped), stripped)

    def _employee_props(self, e: IdoNames) -> list[str]:
        cc = [self.options.employee_cost_center] if self.options.employee_cost_center else []
        return list(e.names.values()) + cc

    def _employee(self, item: Item, e: IdoNames) -> ErpEmployee:
        who = f"employee {item.get(e['number'], '').strip()}"
        cc = self.options.employee_cost_center
        return ErpEmployee(
            number=self._number_of(item.get(e["number"], "")),
            first_name=item.get(e["first_name"], ""),
            last_name=item.get(e["last_name"], ""),
            department=item.get(e.get("department") or "", ""),
            cost_center=item.get(cc, "") if cc else "",
            hire_date=_date(item, e.get("hire_date"), who),
            termination_date=_date(item, e["term_date"], who),
        )

    def list_employees(self) -> list[ErpEmployee]:
        """Every employee of SLEmployees."""
        e = self.schema().employee
        rows = self.ido.load("SLEmployees", self._employee_props(e), orderby=e["number"],
                             page_size=self.options.page_size)  # fmt: skip
        return [self._employee(r, e) for r in rows]

    def _find_employee(self, number: str) -> tuple[ErpEmployee, str] | None:
        e, key = self.schema().employee, self.emp_num(number)
        # Filter on the expanded key; a site that stores numbers unexpanded is matched too.
        where = f"{e['number']} = {quote(key)} OR {e['number']} = {quote(key.strip())}"
        rows = self.ido.load("SLEmployees", self._employee_props(e), filter=where, record=f"employee {number}")
        for row in rows:
            if row.get(e["number"], "").strip() == key.strip():
                return self._employee(row, e), row.get("_ItemId", "")
        return None

    def upsert_employee(self, employee: ErpEmployee) -> Literal["added", "updated", "unchanged"]:
        """Insert or update the employee (optimistic locking with the row's `_ItemId`)."""
        e, key = self.schema().employee, self.emp_num(employee.number)
        values = {"first_name": employee.first_name, "last_name": employee.last_name, "name": employee.full_name,
                  "department": employee.department, "hire_date": format_datetime(employee.hire_date),
                  "term_date": format_datetime(employee.termination_date)}  # fmt: skip
        props: dict[str, str | None] = {e[f]: v for f, v in values.items() if e.get(f)}
        if self.options.employee_cost_center:
            props[self.options.employee_cost_center] = employee.cost_center
        found = self._find_employee(employee.number)
        who = f"employee {employee.number}"
        if found is None:
            self.ido.update("SLEmployees", [change(INSERT, {e["number"]: key, **props})], record=who)
            return "added"
        current, item_id = found
        wanted = employee if self.options.employee_cost_center else replace(employee, cost_center="")
        if not e.get("department"):
            wanted = replace(wanted, department="")
        if not e.get("hire_date"):
            wanted = replace(wanted, hire_date=None)
        if current == wanted:
            return "unchanged"
        self.ido.update("SLEmployees", [change(UPDATE, {e["number"]: key, **props}, item_id)], record=who)
        return "updated"

    def terminate_employee(self, employee_number: str, termination_date: date) -> None:
        """Set the employee's termination date."""
        e = self.schema().employee
        found = self._find_employee(employee_number)
        who = f"employee {employee_number}"
        if found is None:
            raise RecordNotFound(f"{who} does not exist in SLEmployees; add it before terminating it")
        props = {e["number"]: self.emp_num(employee_number), e["term_date"]: format_datetime(termination_date)}
        self.ido.update("SLEmployees", [change(UPDATE, props, found[1])], record=who)
