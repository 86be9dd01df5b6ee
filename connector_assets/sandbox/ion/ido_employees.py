"""SLEmployees: insert, update (by _ItemId or EmpNum) and delete employees; EmpNum is right-justified."""

from __future__ import annotations

import uuid
from dataclasses import replace

from connector_assets.sandbox.ion import csi_schema as csi
from connector_assets.sandbox.ion.config import IonConfig
from connector_assets.sandbox.ion.ido_collections import Change, IdoError, Row
from connector_assets.sandbox.ion.model import Clock, Employee, mongoose_datetime, parse_any_date
from connector_assets.sandbox.ion.state import IonState

# Writable SLEmployees properties -> Employee fields.
WRITABLE = {"Name": "name", "Fname": "first_name", "Lname": "last_name", "Dept": "department",
            "HireDate": "hire_date", "TermDate": "term_date"}  # fmt: skip


class EmployeeCollection:
    """SLEmployees: insert, update (by _ItemId or EmpNum) and delete employees."""

    def __init__(self, state: IonState, config: IonConfig, clock: Clock) -> None:
        self.state, self.config, self.clock = state, config, clock

    def properties(self) -> list[str]:
        return list(csi.SL_EMPLOYEES)

    def key(self, where: str, raw: str) -> str:
        """EmpNum as stored: right-justified to 7 characters (EmpNumType); longer numbers do not fit."""
        number = raw.strip()
        if not self.config.pad_employee_numbers:
            return number
        if not number or len(number) > csi.EMP_NUM_WIDTH:
            raise IdoError(f"{where}: EmpNum {raw!r} must be 1..{csi.EMP_NUM_WIDTH} characters")
        return number.rjust(csi.EMP_NUM_WIDTH)

    @staticmethod
    def item_id(e: Employee) -> str:
        return f"PBT=[employee] emp.DT=[{e.version}] emp.ID=[{e.row_id}]"

    def rows(self) -> list[tuple[str, Row]]:
        out, blank = [], dict.fromkeys(csi.SL_EMPLOYEES, "")
        for number in sorted(self.state.employees):
            e = self.state.employees[number]
            row = {**blank, "EmpNum": e.number, "Name": e.name, "Fname": e.first_name, "Lname": e.last_name,
                   "Dept": e.department, "HireDate": mongoose_datetime(e.hire_date),
                   "TermDate": mongoose_datetime(e.term_date), "Stat": "A" if e.active else "T", "RowPointer": e.row_id}  # fmt: skip
            out.append((self.item_id(e), row))
        return out

    def update(self, changes: list[Change]) -> None:
        work = dict(self.state.employees)  # validate everything before changing anything
        for index, change in enumerate(changes, start=1):
            self._apply(work, f"SLEmployees change {index}", change)
        self.state.employees.clear()
        self.state.employees.update(work)

    def _find(self, work: dict[str, Employee], where: str, change: Change) -> Employee:
        if change.item_id:
            found = next((e for e in work.values() if f"emp.ID=[{e.row_id}]" in change.item_id), None)
            if found is None:
                raise IdoError(f"{where}: no employee has ItemId {change.item_id!r}; reload and retry")
            if change.locking and self.item_id(found) != change.item_id:
                raise IdoError(f"{where}: employee {found.number} was changed by another user; reload and retry")
            return found
        number = change.keys.get("EmpNum", "")
        if number not in work:
            raise IdoError(f"{where}: employee {number!r} does not exist")
        return work[number]

    def _apply(self, work: dict[str, Employee], where: str, change: Change) -> None:
        p = change.properties
        if change.action == 4:
            del work[self._find(work, where, change).number]
            return
        if change.action == 1:
            number = self.key(where, p.get("EmpNum", ""))
            if number in work:
                raise IdoError(f"{where}: EmpNum {number!r} already exists")
            emp = Employee(number=number, division=self.config.division, row_id=str(uuid.uuid4()), version=0)
        elif change.action == 2:
            emp = replace(self._find(work, where, change))
        else:
            raise IdoError(f"{where}: Action {change.action} is not 1 (insert), 2 (update) or 4 (delete)")
        try:
            for prop, field in WRITABLE.items():
                if prop not in p:
                    continue
                value = p[prop]
                setattr(emp, field, parse_any_date(value) if field.endswith("_date") else value)
        except ValueError as exc:
            raise IdoError(f"{where}: {exc}") from exc
        if change.action == 1 and not emp.name:
            emp.name = f"{emp.first_name} {emp.last_name}".strip()
        if emp.hire_date and emp.term_date and emp.term_date < emp.hire_date:
            raise IdoError(f"{where}: employee {emp.number} termination date is before the hire date")
        emp.active = emp.term_date is None or emp.term_date > self.clock.today()
        emp.version += 1
        work[emp.number] = emp
