"""Flatten a processed Gusto payroll into one row per money item (integer cents).

Earnings come from ``hourly_compensations`` and ``fixed_compensations`` (a ``paid_time_off`` line that
carries an amount counts too); each keeps its ``job_uuid`` so wages can follow the job. Gusto's PTO lines
carry hours only: the part of ``gross_pay`` no earning line itemizes is booked as PTO wages (see
``unitemized``). Payroll-level ``company_taxes`` ("in addition to taxes included in
``employee_compensations``") are employer taxes with no employee. A check-paid employee's
reimbursement is paid on the paper check (``check_amount`` = net pay + reimbursements): its subtype says so.
``totals.deferred_payroll_taxes`` ("payroll taxes deferred ... such as allowed by the CARES act") is one
payroll-level item: owed, so not in Gusto's ``tax_debit``. An "Owner's Draw" is equity, not wages.
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
from connector_assets.ledger.unitemized import GROSS_CATEGORIES, Unitemized, unitemized_pay


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
    if key in c.OWNERS_DRAW_NAMES:
        return c.OWNERS_DRAW, "owners_draw"
    return c.EARNING, c.EARNING_NAMES.get(key, c.UNKNOWN_EARNING)


def deduction_subtype(name: str) -> str:
    """Child support (remitted by Gusto), another garnishment, or the deduction's own name."""
    key = name.strip().lower()
    if key in c.CHILD_SUPPORT_NAMES:
        return c.CHILD_SUPPORT
    return c.GARNISHMENT if any(word in key for word in c.GARNISHMENT_WORDS) else name


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


def _paid(payroll: Mapping[str, Any], pid: str) -> list[tuple[str, Mapping[str, Any]]]:
    """(employee uuid, compensation) of every employee the payroll paid (excluded ones are not paid)."""
    out = []
    for comp in _objects(payroll.get("employee_compensations"), f"payroll {pid}: employee_compensations"):
        if comp.get("excluded"):
            continue
        emp = _uuid(comp.get("employee_uuid"), f"payroll {pid}: employee_uuid")
        if not emp:
            raise PayrollShapeError(f"payroll {pid}: an employee compensation has no employee_uuid")
        out.append((emp, comp))
    return out


def _itemized_gross(comp: Mapping[str, Any], where: str) -> int:
    """The earnings of one compensation that its lines itemize with an amount (what gross_pay adds up)."""
    lines = _objects(comp.get("hourly_compensations"), f"{where}: hourly_compensations") + _objects(
        comp.get("fixed_compensations"), f"{where}: fixed_compensations"
    )
    total = sum(
        to_cents(line.get("amount"), f"{where} '{line.get('name')}'")
        for line in lines
        if _earning(str(line.get("name") or ""))[0] in GROSS_CATEGORIES
    )
    return total + sum(
        to_cents(p.get("amount"), f"{where} '{p.get('name')}'")
        for p in _objects(comp.get("paid_time_off"), f"{where}: paid_time_off")
    )


def payroll_unitemized(payroll: Mapping[str, Any]) -> list[Unitemized]:
    """Per employee, the pay inside ``gross_pay`` that no earning line itemizes (PTO), when there is any."""
    pid = payroll_uuid(payroll)
    out = []
    for emp, comp in _paid(payroll, pid):
        where = f"payroll {pid} employee {emp}"
        if (rest := unitemized_pay(comp, _itemized_gross(comp, where), where)) is not None:
            out.append(rest)
    return out


def payroll_items(payroll: Mapping[str, Any], hourly_rates: Mapping[str, int] | None = None) -> pl.DataFrame:
    """One row per money item of the payroll; zero amounts are skipped.

    ``hourly_rates`` (employee uuid → cents per hour), where known, shows hours times rate on PTO items.
    """
    pid = payroll_uuid(payroll)
    rows: list[tuple[str | None, str | None, str, str, str, int, bool]] = []
    rates = hourly_rates or {}

    def add(
        emp: str | None, job: str | None, cat: str, sub: str, name: str, value: object, employer: bool
    ) -> None:
        cents = to_cents(value, f"payroll {pid} employee {emp} {cat} '{name}'")
        if cents:
            rows.append((emp, job, cat, sub, name, cents, employer))

    for emp, comp in _paid(payroll, pid):
        where = f"payroll {pid} employee {emp}"
        check_paid = comp.get("payment_method") == "Check"

        def lines(key: str) -> list[Mapping[str, Any]]:
            return _objects(comp.get(key), f"{where}: {key}")  # noqa: B023 - called within this iteration

        for line in lines("hourly_compensations") + lines("fixed_compensations"):
            name = str(line.get("name") or "")
            cat, sub = _earning(name)
            if cat == c.REIMBURSEMENT and check_paid:
                sub = c.CHECK_REIMBURSEMENT
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
            # Gusto documents PTO hours only; a priced line is booked here, hours-only pay below.
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
        if (rest := unitemized_pay(comp, _itemized_gross(comp, where), where)) is not None:
            rows.append((emp, None, c.EARNING, "pto", rest.name(rates.get(emp)), rest.cents, False))
        for reimb in lines("reimbursements"):
            name = str(reimb.get("description") or "Reimbursement")
            sub = c.CHECK_REIMBURSEMENT if check_paid else "reimbursement"
            add(emp, None, c.REIMBURSEMENT, sub, name, reimb.get("amount"), False)
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
            add(emp, None, c.DEDUCTION, deduction_subtype(name), name, ded.get("amount"), False)
        if comp.get("net_pay") is None:
            raise PayrollShapeError(
                f"payroll {pid} employee {emp}: no net_pay; only processed payrolls can be journalized"
            )
        method = str(comp.get("payment_method") or "")
        add(emp, None, c.NET_PAY, c.NET_PAY_METHODS.get(method, "unknown"), method, comp["net_pay"], False)

    for tax in _objects(payroll.get("company_taxes"), f"payroll {pid}: company_taxes"):
        # Documented ones are employer taxes; an employee one has no expense leg and so cannot balance (held).
        employer = tax.get("employer") is not False
        cat = c.EMPLOYER_TAX if employer else c.EMPLOYEE_TAX
        add(None, None, cat, c.COMPANY_TAX, str(tax.get("name") or ""), tax.get("amount"), employer)
    # Taxes owed but not debited (CARES-act deferral): inside the tax totals, outside tax_debit.
    totals = payroll.get("totals") or {}
    if not isinstance(totals, Mapping):
        raise PayrollShapeError(f"payroll {pid}: totals must be an object, got {type(totals).__name__}")
    deferred = totals.get("deferred_payroll_taxes")
    add(None, None, c.DEFERRED_TAX, "deferred_payroll_taxes", "Deferred payroll taxes", deferred, True)

    try:
        frame = pl.DataFrame(rows, schema={k: v for k, v in ITEM_SCHEMA.items() if k != "item_no"}, orient="row")
    except UnicodeEncodeError as exc:
        # JSON may escape a lone surrogate ("\ud800"), which no UTF-8 text can hold.
        raise PayrollShapeError(f"payroll {pid}: a text field is not valid Unicode ({exc.reason})") from None
    return frame.with_row_index("item_no").with_columns(pl.col("item_no").cast(pl.Int64)).select(list(ITEM_SCHEMA))
