"""Flatten a processed Gusto payroll into one row per money item (integer cents).

Earnings come from ``hourly_compensations``, ``fixed_compensations`` and priced
``paid_time_off`` lines; each keeps its ``job_uuid`` so wages can follow the job.
Compensation names Gusto may add later are kept as earning subtype ``unknown``:
the mapping never resolves that subtype by default, so such a line is held,
never dropped. Cash tips and imputed pay keep their own categories (see
payroll-accounting §2): cash tips post with an offset, imputed pay is memo only.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import polars as pl

from connector_assets.ledger import categories as c
from connector_assets.ledger.money import to_cents


class PayrollShapeError(ValueError):
    """The payroll JSON lacks what a journal needs (e.g. it is not processed)."""


ITEM_SCHEMA: dict[str, pl.DataType] = {
    "item_no": pl.Int64(),
    "employee_uuid": pl.String(),
    "job_uuid": pl.String(),
    "category": pl.String(),
    "subtype": pl.String(),
    "name": pl.String(),
    "amount_cents": pl.Int64(),
    "employer": pl.Boolean(),
}


def _earning(name: str) -> tuple[str, str]:
    """Classify a compensation name as (category, subtype)."""
    key = name.strip().lower()
    if key in c.CASH_TIPS_NAMES:
        return c.CASH_TIPS, "cash_tips"
    if key in c.REIMBURSEMENT_NAMES:
        return c.REIMBURSEMENT, "reimbursement"
    if key in c.IMPUTED_NAMES:
        return c.IMPUTED_PAY, "imputed_pay"
    return c.EARNING, c.EARNING_NAMES.get(key, c.UNKNOWN_EARNING)


def _objects(value: object, where: str) -> list[Mapping[str, Any]]:
    """A JSON array of objects (absent or null is empty); anything else is a shape error naming `where`."""
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, Mapping) for v in value):
        raise PayrollShapeError(f"{where} must be a list of objects; pass the payroll JSON as Gusto sent it")
    return value


def _uuid(value: object, where: str) -> str | None:
    if value is None or isinstance(value, str):
        return value or None
    raise PayrollShapeError(f"{where} must be a string, got {type(value).__name__}")


def payroll_uuid(payroll: Mapping[str, Any]) -> str:
    """The payroll's uuid (Gusto sends it as ``payroll_uuid`` and ``uuid``)."""
    if not isinstance(payroll, Mapping):
        raise PayrollShapeError(f"payroll must be a JSON object, got {type(payroll).__name__}")
    value = payroll.get("payroll_uuid") or payroll.get("uuid")
    if not value:
        raise PayrollShapeError("payroll has neither 'payroll_uuid' nor 'uuid'; pass the JSON of a single payroll")
    return str(value)


def payroll_items(payroll: Mapping[str, Any]) -> pl.DataFrame:
    """One row per money item of ``payroll['employee_compensations']``; zero amounts are skipped."""
    pid = payroll_uuid(payroll)
    rows: list[tuple[str | None, str | None, str, str, str, int, bool]] = []

    def add(emp: str, job: str | None, cat: str, sub: str, name: str, value: object, employer: bool) -> None:
        cents = to_cents(value, f"payroll {pid} employee {emp} {cat} '{name}'")
        if cents:
            rows.append((emp, job, cat, sub, name, cents, employer))

    for comp in _objects(payroll.get("employee_compensations"), f"payroll {pid}: employee_compensations"):
        if comp.get("excluded"):
            continue
        emp = _uuid(comp.get("employee_uuid"), f"payroll {pid}: employee_uuid")
        if not emp:
            raise PayrollShapeError(f"payroll {pid}: an employee compensation has no employee_uuid")
        where = f"payroll {pid} employee {emp}"

        def lines(key: str) -> list[Mapping[str, Any]]:
            return _objects(comp.get(key), f"{where}: {key}")  # noqa: B023 - called within this iteration

        for line in lines("hourly_compensations") + lines("fixed_compensations"):
            name = str(line.get("name") or "")
            cat, sub = _earning(name)
            add(
                emp,
                _uuid(line.get("job_uuid"), f"{where} '{name}' job_uuid"),
                cat,
                sub,
                name,
                line.get("amount"),
                False,
            )
        for pto in lines("paid_time_off"):
            # Gusto documents PTO hours only; a priced line is booked, an hours-only line carries no money.
            name = str(pto.get("name") or "")
            sub = c.EARNING_NAMES.get(name.strip().lower(), "pto")
            add(
                emp,
                _uuid(pto.get("job_uuid"), f"{where} '{name}' job_uuid"),
                c.EARNING,
                sub,
                name,
                pto.get("amount"),
                False,
            )
        for reimb in lines("reimbursements"):
            name = str(reimb.get("description") or "Reimbursement")
            add(emp, None, c.REIMBURSEMENT, "reimbursement", name, reimb.get("amount"), False)
        for tax in lines("taxes"):
            employer = bool(tax.get("employer"))
            cat = c.EMPLOYER_TAX if employer else c.EMPLOYEE_TAX
            name = str(tax.get("name") or "")
            add(emp, None, cat, name, name, tax.get("amount"), employer)
        for ben in lines("benefits"):
            name = str(ben.get("name") or "")
            add(emp, None, c.EMPLOYEE_BENEFIT, name, name, ben.get("employee_deduction"), False)
            add(emp, None, c.EMPLOYER_BENEFIT, name, name, ben.get("company_contribution"), True)
        for ded in lines("deductions"):
            name = str(ded.get("name") or "")
            add(emp, None, c.DEDUCTION, name, name, ded.get("amount"), False)
        if comp.get("net_pay") is None:
            raise PayrollShapeError(
                f"payroll {pid} employee {emp}: no net_pay; only processed payrolls can be journalized"
            )
        method = str(comp.get("payment_method") or "")
        add(emp, None, c.NET_PAY, c.NET_PAY_METHODS.get(method, "unknown"), method, comp["net_pay"], False)

    frame = pl.DataFrame(
        rows,
        schema={k: v for k, v in ITEM_SCHEMA.items() if k != "item_no"},
        orient="row",
    )
    return frame.with_row_index("item_no").with_columns(pl.col("item_no").cast(pl.Int64)).select(list(ITEM_SCHEMA))
