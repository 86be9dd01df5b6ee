"""The SyteLine IDOs the simulator serves: rows out for LoadCollection, validated changes in for UpdateCollection."""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass, replace
from datetime import date, timedelta
from decimal import Decimal
from typing import Protocol

from connector_assets.sandbox.ion.config import IonConfig
from connector_assets.sandbox.ion.model import (
    Clock,
    Employee,
    Identity,
    JournalRow,
    format_amount,
    mongoose_datetime,
    parse_amount,
    parse_any_date,
)
from connector_assets.sandbox.ion.state import IonState

Row = dict[str, str]


class IdoError(Exception):
    """A rejected Mongoose request: reported as `Success: false` with this message."""


@dataclass
class Change:
    """One entry of `UpdateCollection.Changes`: Action 1 insert, 2 update, 4 delete."""

    action: int
    item_id: str
    properties: dict[str, str]  # the properties marked Modified: the values to write
    keys: dict[str, str]  # every property sent, to find the row when there is no ItemId
    locking: bool = True


class IdoCollection(Protocol):
    def properties(self) -> list[str]: ...

    def rows(self) -> list[tuple[str, Row]]: ...

    def update(self, changes: list[Change]) -> None: ...


def _read_only(name: str) -> IdoError:
    return IdoError(f"{name} is read-only in this tenant: maintain it in CloudSuite (or seed it via /_sandbox)")


class ChartCollection:
    """SLCharts: the chart of accounts."""

    def __init__(self, state: IonState, config: IonConfig) -> None:
        self.state, self.names = state, config.ido_names.chart

    def properties(self) -> list[str]:
        return list(self.names.values())

    def rows(self) -> list[tuple[str, Row]]:
        dim = self.state.accounts()
        return [(f"PBT=[chart] cha.ID=[{code}]", self._row(dim.values[code])) for code in dim.sorted_keys()]

    def _row(self, a: Identity) -> Row:
        n = self.names
        return {n["account"]: a.code, n["description"]: a.name, n["type"]: a.type,
                n["active"]: "0" if a.blocked else "1", n["effective"]: mongoose_datetime(a.valid_from),
                n["obsolete"]: mongoose_datetime(a.valid_to)}  # fmt: skip

    def update(self, changes: list[Change]) -> None:
        raise _read_only("SLCharts")


class UnitCodeCollection:
    """SLUnitcd1s..SLUnitcd4s: the values of one unit code."""

    def __init__(self, state: IonState, config: IonConfig, unit: int) -> None:
        self.state, self.unit = state, unit
        names = config.ido_names
        self.code, self.desc, self.active = (
            names.unit_code.format(n=unit),
            names.unit_description,
            names.unit_active,
        )

    def properties(self) -> list[str]:
        return [self.code, self.desc, self.active]

    def rows(self) -> list[tuple[str, Row]]:
        dim = self.state.unit_codes[self.unit]
        return [
            (f"PBT=[unitcd{self.unit}] u.ID=[{c}]",
             {self.code: c, self.desc: dim.values[c].name, self.active: "0" if dim.values[c].blocked else "1"})
            for c in dim.sorted_keys()
        ]  # fmt: skip

    def update(self, changes: list[Change]) -> None:
        raise _read_only(f"SLUnitcd{self.unit}s")


class PeriodCollection:
    """SLPeriods: calendar-month accounting periods with their closed flag."""

    def __init__(self, state: IonState, config: IonConfig, clock: Clock) -> None:
        self.state, self.clock, self.names = state, clock, config.ido_names.period

    def properties(self) -> list[str]:
        return list(self.names.values())

    def rows(self) -> list[tuple[str, Row]]:
        this_year = self.clock.today().year
        years = {this_year - 1, this_year, this_year + 1} | {y for y, _ in self.state.closed_periods}
        n, out = self.names, []
        for year in sorted(years):
            for month in range(1, 13):
                start = date(year, month, 1)
                end = (date(year + month // 12, month % 12 + 1, 1)) - timedelta(days=1)
                row = {n["year"]: str(year), n["period"]: str(month), n["start"]: mongoose_datetime(start),
                       n["end"]: mongoose_datetime(end), n["closed"]: "1" if self.state.period_closed(start) else "0"}  # fmt: skip
                out.append((f"PBT=[periods] per.ID=[{year}-{month:02d}]", row))
        return out

    def update(self, changes: list[Change]) -> None:
        raise _read_only("SLPeriods")


class JournalCollection:
    """SLJournals: journal entry rows; inserts are validated and must balance per reference."""

    def __init__(self, state: IonState, config: IonConfig) -> None:
        self.state, self.config, self.names = state, config, config.ido_names.journal

    def _unit(self, n: int) -> str:
        return self.names["unit"].format(n=n)

    def properties(self) -> list[str]:
        n = self.names
        return [n["id"], n["seq"], n["date"], n["account"], *(self._unit(i) for i in range(1, 5)), n["amount"],
                n["reference"]]  # fmt: skip

    def rows(self) -> list[tuple[str, Row]]:
        n, out = self.names, []
        for j in self.state.journals:
            row = {n["id"]: j.journal_id, n["seq"]: str(j.seq), n["date"]: mongoose_datetime(j.trans_date),
                   n["account"]: j.account, **{self._unit(i + 1): u for i, u in enumerate(j.units)},
                   n["amount"]: format_amount(j.amount), n["reference"]: j.reference}  # fmt: skip
            out.append((f"PBT=[journal] jour.ID=[{j.row_id}]", row))
        return out

    def update(self, changes: list[Change]) -> None:
        drafts = [self._draft(i, c) for i, c in enumerate(changes, start=1)]
        totals: dict[str, Decimal] = defaultdict(Decimal)
        for row in drafts:
            totals[row.reference] += row.amount
        unbalanced = {ref: total for ref, total in totals.items() if total != 0}
        if unbalanced and self.config.syteline_require_balanced:
            ref, total = next(iter(unbalanced.items()))
            raise IdoError(f"SLJournals: entries with reference {ref!r} do not balance (net {format_amount(total)}); "
                           "send all lines of a journal in one request")  # fmt: skip
        for row in drafts:
            row.seq = self.state.next_journal_seq
            self.state.next_journal_seq += 1
            self.state.journals.append(row)

    def _draft(self, index: int, change: Change) -> JournalRow:
        where = f"SLJournals change {index}"
        if change.action != 1:
            raise IdoError(f"{where}: journal entries can only be inserted (Action 1); post a reversing entry")
        p, n = change.properties, self.names
        try:
            day = parse_any_date(p.get(n["date"]))
            amount = parse_amount(p.get(n["amount"]) or "")
        except ValueError as exc:
            raise IdoError(f"{where}: {exc}") from exc
        if day is None:
            raise IdoError(f"{where}: {n['date']} is required")
        reference = p.get(n["reference"], "")
        if len(reference) > self.config.reference_max_len:
            raise IdoError(f"{where}: {n['reference']} {reference!r} is longer than "
                           f"{self.config.reference_max_len} characters")  # fmt: skip
        if self.config.syteline_reject_duplicate_reference and any(
            j.reference == reference for j in self.state.journals
        ):
            raise IdoError(f"{where}: reference {reference!r} was already posted")
        if self.state.period_closed(day):
            raise IdoError(f"{where}: period {day:%Y-%m} is closed for posting")
        account = p.get(n["account"], "")
        self._check(where, self.state.accounts().values.get(account), "account", account, day)
        units = tuple(p.get(self._unit(i), "") for i in range(1, 5))
        for i, code in enumerate(units, start=1):
            if code:
                self._check(where, self.state.unit_codes[i].values.get(code), f"unit code {i}", code, day)
        return JournalRow(seq=0, journal_id=p.get(n["id"]) or self.config.default_journal_id, trans_date=day,
                          account=account, units=(units[0], units[1], units[2], units[3]), amount=amount,
                          reference=reference, row_id=str(uuid.uuid4()))  # fmt: skip

    @staticmethod
    def _check(where: str, ident: Identity | None, what: str, code: str, day: date) -> None:
        if ident is None:
            raise IdoError(f"{where}: {what} {code!r} does not exist")
        problem = ident.problem_on(day)
        if problem:
            raise IdoError(f"{where}: {what} {code!r} {problem} on {day.isoformat()}")


class EmployeeCollection:
    """SLEmployees: insert, update (by _ItemId or EmpNum) and delete employees."""

    def __init__(self, state: IonState, config: IonConfig, clock: Clock) -> None:
        self.state, self.config, self.clock, self.names = state, config, clock, config.ido_names.employee

    def properties(self) -> list[str]:
        return list(self.names.values())

    @staticmethod
    def item_id(e: Employee) -> str:
        return f"PBT=[employee] emp.DT=[{e.version}] emp.ID=[{e.row_id}]"

    def rows(self) -> list[tuple[str, Row]]:
        n, out = self.names, []
        for number in sorted(self.state.employees):
            e = self.state.employees[number]
            row = {n["number"]: e.number, n["name"]: e.name, n["first_name"]: e.first_name,
                   n["last_name"]: e.last_name, n["department"]: e.department,
                   n["hire_date"]: mongoose_datetime(e.hire_date), n["term_date"]: mongoose_datetime(e.term_date)}  # fmt: skip
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
        number = change.keys.get(self.names["number"], "")
        if number not in work:
            raise IdoError(f"{where}: employee {number!r} does not exist")
        return work[number]

    def _apply(self, work: dict[str, Employee], where: str, change: Change) -> None:
        n, p = self.names, change.properties
        if change.action == 4:
            del work[self._find(work, where, change).number]
            return
        if change.action == 1:
            number = p.get(n["number"], "").strip()
            if not number or number in work:
                raise IdoError(f"{where}: {n['number']} {number!r} is empty or already exists")
            emp = Employee(number=number, division=self.config.division, row_id=str(uuid.uuid4()), version=0)
        elif change.action == 2:
            emp = replace(self._find(work, where, change))
        else:
            raise IdoError(f"{where}: Action {change.action} is not 1 (insert), 2 (update) or 4 (delete)")
        try:
            for field, prop in n.items():
                if prop not in p or field == "number":
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
