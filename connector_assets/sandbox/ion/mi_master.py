"""M3 master data transactions: CRS630MI (accounting identities), CRS633MI (account groups), CRS530MI (employees)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import replace
from datetime import date

from connector_assets.sandbox.ion.mi import MiContext, MiError, MiRegistry, Record
from connector_assets.sandbox.ion.model import Employee, Identity, parse_ymd8, ymd8

# Error codes are illustrative (the reference quotes WAI0103, XAU0008 and WCU0203 only).
NOT_FOUND = "WAI0103"
EMPLOYEE_NOT_FOUND = "WEM0103"
ALREADY_EXISTS = "XRE0103"
INVALID_VALUE = "WXX0001"
_BALANCE_TYPES = {"a", "l", "q", "asset", "liability", "equity", "balance"}
_RESULT_TYPES = {"e", "r", "o", "expense", "revenue", "income", "profit_loss"}


def _dimension(inputs: Record) -> int:
    raw = inputs.get("AITP", "")
    if raw not in {"1", "2", "3", "4", "5", "6", "7"}:
        raise MiError(f"Accounting dimension {raw!r} is invalid: use 1..7", INVALID_VALUE, "AITP")
    return int(raw)


def identity_record(ctx: MiContext, dimension: int, ident: Identity) -> Record:
    """The CRS630MI record of one accounting identity."""
    kind = ident.type.lower()
    return {
        "CONO": ctx.cono, "DIVI": ctx.divi, "AITP": str(dimension), "AITM": ident.code, "AICL": ident.group,
        "TX40": ident.name[:40], "TX15": ident.name[:15],
        "AT01": "1" if kind in _BALANCE_TYPES else "0", "AT02": "1" if kind in _RESULT_TYPES else "0",
        "LCCD": ctx.config.blocked_value if ident.blocked else "0",
        "VFDT": ymd8(ident.valid_from), "VTDT": ymd8(ident.valid_to),
    }  # fmt: skip


def lst_account_id(ctx: MiContext, inputs: Record) -> Iterator[Record]:
    dimension = _dimension(inputs)
    dim = ctx.state.dimensions[dimension]
    for code in dim.from_key(inputs.get("AITM", ""), ctx.config.start_key_inclusive):
        yield identity_record(ctx, dimension, dim.values[code])


def get_account_id(ctx: MiContext, inputs: Record) -> Iterator[Record]:
    dimension = _dimension(inputs)
    ident = ctx.state.dimensions[dimension].values.get(inputs["AITM"])
    if ident is None:
        raise MiError(f"Accounting identity {inputs['AITM']} does not exist", NOT_FOUND, "AITM")
    yield identity_record(ctx, dimension, ident)


def lst_acc_groups(ctx: MiContext, inputs: Record) -> Iterator[Record]:
    groups = sorted({a.group for a in ctx.state.accounts().values.values() if a.group})
    for group in groups:
        if group >= inputs.get("AICL", ""):
            yield {"DIVI": ctx.divi, "AICL": group, "LVEL": "1", "LVLS": "", "ACLT": "", "TX40": group[:40],
                   "TX15": group[:15]}  # fmt: skip


def employee_record(ctx: MiContext, emp: Employee) -> Record:
    """The CRS530MI record of one employee."""
    return {
        "CONO": ctx.config.company, "DIVI": emp.division, "EMNO": emp.number, "EMNM": emp.name, "USID": emp.user_id,
        "ACEM": "1" if emp.active else "0", "FACI": "", "PLGR": "", "DEPT": emp.department,
        "TACC": emp.cost_center, "TMCC": emp.cost_center, "EBDT": ymd8(emp.hire_date), "EEDT": ymd8(emp.term_date),
    }  # fmt: skip


def _find(ctx: MiContext, number: str) -> Employee:
    emp = ctx.state.employees.get(number)
    if emp is None:
        raise MiError(f"Employee number {number} does not exist", EMPLOYEE_NOT_FOUND, "EMNO")
    return emp


def _date(inputs: Record, name: str) -> date | None:
    try:
        return parse_ymd8(inputs[name])
    except ValueError as exc:
        raise MiError(f"Field {name}: {exc}", INVALID_VALUE, name) from exc


def _apply_basic(emp: Employee, inputs: Record) -> None:
    """Apply the basic-data fields present in `inputs`; absent fields are left unchanged."""
    hire = _date(inputs, "EBDT") if "EBDT" in inputs else emp.hire_date
    term = _date(inputs, "EEDT") if "EEDT" in inputs else emp.term_date
    if hire and term and term < hire:
        raise MiError(
            f"Termination date {ymd8(term)} is before employment date {ymd8(hire)}", INVALID_VALUE, "EEDT"
        )
    active = inputs.get("ACEM", "1" if emp.active else "0")
    if active not in ("0", "1"):
        raise MiError(f"Active employee ACEM must be 0 or 1, got {active!r}", INVALID_VALUE, "ACEM")
    emp.hire_date, emp.term_date, emp.active = hire, term, active == "1"
    emp.name = inputs.get("EMNM", emp.name)
    emp.user_id = inputs.get("USID", emp.user_id)
    emp.department = inputs.get("DEPT", emp.department)
    emp.version += 1


def lst_employee(ctx: MiContext, inputs: Record) -> Iterator[Record]:
    if not inputs["FCOM"] <= ctx.config.company <= inputs["TCOM"]:
        return
    low, high = inputs.get("FEMN", ""), inputs.get("TEMN", "") or "\uffff"
    for number in sorted(ctx.state.employees):
        emp = ctx.state.employees[number]
        divi_ok = inputs.get("FDIV", "") <= emp.division <= (inputs.get("TDIV") or "\uffff")
        if low <= number <= high and divi_ok:
            yield employee_record(ctx, emp)


def get_employee(ctx: MiContext, inputs: Record) -> Iterator[Record]:
    yield employee_record(ctx, _find(ctx, inputs["EMNO"]))


def add_employee(ctx: MiContext, inputs: Record) -> Iterator[Record]:
    number = inputs["EMNO"]
    if number in ctx.state.employees:
        raise MiError(f"Employee number {number} already exists", ALREADY_EXISTS, "EMNO")
    emp = Employee(number=number, division=inputs["DIVI"], row_id=str(uuid.uuid4()))
    _apply_basic(emp, inputs)
    ctx.state.employees[number] = emp
    return iter(())


def upd_basic_data(ctx: MiContext, inputs: Record) -> Iterator[Record]:
    emp = _find(ctx, inputs["EMNO"])
    draft = replace(emp)
    _apply_basic(draft, inputs)  # validate on a copy so a rejected update changes nothing
    emp.__dict__.update(draft.__dict__)
    return iter(())


def upd_time_acc(ctx: MiContext, inputs: Record) -> Iterator[Record]:
    emp = _find(ctx, inputs["EMNO"])
    cost_center = inputs.get("TACC", "")
    dim = ctx.state.dimensions[ctx.config.cost_center_dimension]
    if cost_center and ctx.config.validate_employee_cost_center and cost_center not in dim.values:
        raise MiError(
            f"Cost center {cost_center} does not exist in dimension {ctx.config.cost_center_dimension}",
            NOT_FOUND, "TACC",
        )  # fmt: skip
    emp.cost_center = cost_center
    emp.version += 1
    return iter(())


_EMP_FIELDS = {"CONO": 3, "DIVI": 3, "EMNO": 10, "EMNM": 36, "USID": 10, "ACEM": 1, "FACI": 3, "PLGR": 8, "DEPT": 8,
               "EBDT": 10, "EEDT": 10, "USXM": 60, "SUNO": 10}  # fmt: skip


def register(registry: MiRegistry) -> None:
    """Add the master-data transactions to `registry`."""
    ident = {"AITP": 1, "DIVI": 3, "AITM": 10, "LNCD": 2}
    registry.add("CRS630MI", "LstAccountID", lst_account_id, ident, ["AITP"])
    registry.add("CRS630MI", "GetAccountID", get_account_id, ident, ["AITP", "AITM"])
    registry.add("CRS633MI", "LstAccGroups", lst_acc_groups, {"DIVI": 3, "AICL": 8, "LVEL": 1})
    ranges = {"FCOM": 3, "TCOM": 3, "FDIV": 3, "TDIV": 3, "FEMN": 10, "TEMN": 10}
    registry.add("CRS530MI", "LstEmployee", lst_employee, ranges, ["FCOM", "TCOM"])
    registry.add("CRS530MI", "GetEmployee", get_employee, {"EMNO": 10}, ["EMNO"])
    registry.add("CRS530MI", "AddEmployee", add_employee, _EMP_FIELDS, ["DIVI", "EMNO"])
    registry.add("CRS530MI", "UpdBasicData", upd_basic_data, _EMP_FIELDS, ["DIVI", "EMNO"])
    time_acc = {"CONO": 3, "DIVI": 3, "EMNO": 10, "EMID": 10, "TX15": 15, "PCAT": 3, "APID": 10, "TACC": 10}
    registry.add("CRS530MI", "UpdTimeAcc", upd_time_acc, time_acc, ["DIVI", "EMNO"])
