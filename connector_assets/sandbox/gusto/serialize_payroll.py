"""Payroll JSON (list items, single payroll with employee compensations) and the GL report (§6)."""

from __future__ import annotations

import re
from collections import defaultdict
from datetime import date
from typing import Any

from connector_assets.sandbox.generator_models import EmployeePay, Payroll, World
from connector_assets.sandbox.generator_payroll import company_taxes, payroll_pay, payroll_totals
from connector_assets.sandbox.gusto.serialize import hours, iso, money

# Fields the spec types as JSON numbers are written as markers, then turned into exact number literals
# after json.dumps, so no float ever holds money.
_NUMBER_MARK = re.compile(r'"@num:(-?\d+(?:\.\d+)?)"')


def number(text: str) -> str:
    return f"@num:{text}"


def render_numbers(json_text: str) -> str:
    return _NUMBER_MARK.sub(r"\1", json_text)


def payroll_json(world: World, payroll: Payroll, include: set[str], *, show: bool) -> dict[str, Any]:
    """A payroll as the list (show=False) or single GET (show=True) returns it, minus employee_compensations."""
    processed = payroll.processed
    body: dict[str, Any] = {
        "uuid": payroll.uuid,
        "payroll_uuid": payroll.uuid,
        "company_uuid": payroll.company_uuid,
        "check_date": payroll.check_date.isoformat(),
        "payroll_deadline": iso(payroll.payroll_deadline),
        "processed": processed,
        "processed_date": payroll.processed_date.isoformat() if payroll.processed_date else None,
        "calculated_at": iso(payroll.calculated_at) if payroll.calculated_at else None,
        "created_at": iso(payroll.created_at),
        "off_cycle": payroll.off_cycle,
        "auto_pilot": False,
        "external": False,
        "pay_period": {
            "start_date": payroll.start_date.isoformat(),
            "end_date": payroll.end_date.isoformat(),
            "pay_schedule_uuid": payroll.pay_schedule_uuid,
        },
        "processing_request": {"status": "submit_success", "errors": []} if processed else None,
        "submission_blockers": [],
        "credit_blockers": [],
        "partner_owned_disbursement": None,
    }
    if payroll.off_cycle:
        body.update(
            off_cycle_reason=payroll.off_cycle_reason,
            final_termination_payroll=False,
            withholding_pay_period=payroll.withholding_pay_period,
            skip_regular_deductions=payroll.off_cycle_reason != "Reversal",
            fixed_withholding_rate=payroll.off_cycle_reason == "Bonus",
        )
    if (show or "totals" in include) and processed:  # never calculated: no totals at all
        body["totals"] = _totals_json(world, payroll)
    if "payroll_status_meta" in include:
        debit = iso(payroll.payroll_deadline)
        body["payroll_status_meta"] = {
            "cancellable": not processed,
            "expected_check_date": payroll.check_date.isoformat(),
            "initial_check_date": payroll.check_date.isoformat(),
            "expected_debit_time": debit,
            "payroll_late": False,
            "initial_debit_cutoff_time": debit,
        }
    if "taxes" in include:  # spec Payroll-Company-Taxes-Type: on top of the employees' taxes
        body["company_taxes"] = (
            [{"name": n, "amount": money(a), "employer": True} for n, a in company_taxes(world, payroll)]
            if processed
            else []
        )
    if "reversals" in include:
        body["reversal_payroll_uuids"] = list(payroll.reversal_payroll_uuids)
    if "payroll_taxes" in include and processed:
        sums: dict[tuple[str, bool], int] = defaultdict(int)
        for row in payroll_pay(world, payroll):
            for name, employer, amount in row.taxes:
                sums[(name, employer)] += amount
        body["payroll_taxes"] = [
            {"name": n, "employer": er, "amount": number(money(a))} for (n, er), a in sorted(sums.items())
        ]
    return body


def _totals_json(world: World, payroll: Payroll) -> dict[str, str]:
    totals = payroll_totals(payroll_pay(world, payroll), company_taxes(world, payroll))
    return {k: money(v) for k, v in totals.items()}


def employee_compensation_json(
    payroll: Payroll, row: EmployeePay, include: set[str], money_as: str
) -> dict[str, Any]:
    """One `employee_compensations[]` item; money the spec types as number follows `money_as`."""

    def spec_number(cents: int) -> str:
        return number(money(cents)) if money_as == "number" else money(cents)

    processed = payroll.processed
    body: dict[str, Any] = {
        "employee_uuid": row.employee_uuid,
        "excluded": False,
        "first_name": row.first_name,
        "preferred_first_name": None,
        "last_name": row.last_name,
        "gross_pay": spec_number(row.gross_cents) if processed else None,
        "net_pay": spec_number(row.net_cents) if processed else None,
        "check_amount": spec_number(row.check_cents) if processed else None,
        "payment_method": row.payment_method,
        "memo": None,
        "fixed_compensations": [
            {"name": e.name, "amount": money(e.amount_cents), "job_uuid": e.job_uuid}
            for e in row.earnings
            if e.kind == "fixed"
        ],
        "hourly_compensations": [
            {
                "name": e.name,
                "hours": hours(e.hours_milli),
                "job_uuid": e.job_uuid,
                "compensation_multiplier": number(e.multiplier),
                "flsa_status": e.flsa_status,
                **({"amount": money(e.amount_cents)} if processed else {}),
            }
            for e in row.earnings
            if e.kind == "hourly"
        ],
        "paid_time_off": [
            {"name": n, "hours": hours(h), "final_payout_unused_hours_input": None} for n, h in row.pto
        ],
        "reimbursements": [{"amount": money(a), "description": d} for d, a in row.reimbursements],
        "deductions": [{"name": n, "amount": spec_number(a)} for n, a in row.deductions],
    }
    if not processed:
        body["version"] = row.version
    if "benefits" in include:
        body["benefits"] = [
            {
                "name": b.name,
                "employee_deduction": spec_number(b.employee_cents),
                "company_contribution": spec_number(b.company_cents),
                "imputed": b.imputed,
            }
            for b in row.benefits
        ]
    if "taxes" in include and processed:
        body["taxes"] = [{"name": n, "employer": er, "amount": spec_number(a)} for n, er, a in row.taxes]
    return body


def gl_report_json(
    world: World,
    payroll: Payroll,
    aggregation: str,
    extra_rows: tuple[tuple[str, str, str | None, str | None], ...] = (),
) -> dict[str, Any]:
    """Gusto's general-ledger report: balanced rows by account type (block 0), then per department or
    employee. Account type codes beyond the documented ones (Reimbursement, …) are UNVERIFIED."""
    rows = payroll_pay(world, payroll)
    t = payroll_totals(rows, company_taxes(world, payroll))
    benefits_ee = t["employee_benefits_deductions"]
    other_deductions = t["other_deductions"] - t["child_support_debit"]
    company = [
        _gl_row("RegularWages", "Wages and salaries", t["gross_pay"], True),
        _gl_row("EmployerTax", "Employer taxes", t["employer_taxes"], True),
        _gl_row("BenefitCompanyContribution", "Company benefit contributions", t["benefits"], True),
        _gl_row("Reimbursement", "Reimbursements", t["reimbursements"], True),
        _gl_row("DebitNetPay", "Net pay debit", t["net_pay_debit"], False),
        _gl_row("EmployeePaymentCheck", "Net pay by check", t["check_amount"], False),
        _gl_row("DebitTax", "Tax debit", t["tax_debit"], False),
        _gl_row("DebitReimbursement", "Reimbursement debit", t["reimbursement_debit"], False),
        _gl_row("Garnishment", "Child support debit", t["child_support_debit"], False),
        _gl_row("BenefitLiability", "Benefit liabilities", benefits_ee + t["benefits"], False),
        _gl_row("DeductionLiability", "Deductions withheld", other_deductions, False),
    ]
    data = [
        {
            "headers": ["Account Type", "Account Description", "Debit", "Credit"],
            "rows": [r for r in company if r[2] != "0.00" or r[3] not in (None, "0.00")]
            + [list(r) for r in extra_rows],
        }
    ]
    if aggregation in ("department", "default"):
        data.append(_by_department(world, rows) if aggregation == "department" else _by_employee(rows))
    kind = "Off-Cycle Payroll" if payroll.off_cycle else "Regular Payroll"
    return {
        "company_name": world.company.name,
        "ledger_description": f"Ledger for {kind} {payroll.start_date:%b %-d} – {payroll.end_date:%b %-d}",  # noqa: RUF001 (Gusto writes an en dash)
        "check_date": payroll.check_date.isoformat(),
        "data": data,
    }


def _gl_row(code: str, description: str, cents: int, debit: bool) -> list[str | None]:
    # Negative amounts (reversals) flip to the other side so every amount stays positive.
    if cents < 0:
        cents, debit = -cents, not debit
    return [code, description, money(cents), None] if debit else [code, description, None, money(cents)]


def _expense_rows(rows: list[EmployeePay]) -> tuple[int, int, int, int]:
    gross = sum(r.gross_cents for r in rows)
    er_tax = sum(a for r in rows for _, er, a in r.taxes if er)
    er_ben = sum(b.company_cents for r in rows for b in r.benefits)
    return gross, er_tax, er_ben, sum(a for r in rows for _, a in r.reimbursements)


def _by_department(world: World, rows: list[EmployeePay]) -> dict[str, Any]:
    groups: dict[str, list[EmployeePay]] = defaultdict(list)
    for row in rows:
        emp = world.employee(row.employee_uuid)
        dept = world.department(emp.department_uuid) if emp else None
        groups[dept.title if dept else "No department"].append(row)
    out: list[list[str | None]] = []
    for title, members in sorted(groups.items()):
        gross, er_tax, er_ben, reimb = _expense_rows(members)
        for code, desc, cents in (
            ("RegularWages", "Wages", gross),
            ("EmployerTax", "Employer taxes", er_tax),
            ("BenefitCompanyContribution", "Benefits", er_ben),
            ("Reimbursement", "Reimbursements", reimb),
        ):
            if cents:
                out.append([title, *_gl_row(code, desc, cents, True)])
    return {"headers": ["Department", "Account Type", "Account Description", "Debit", "Credit"], "rows": out}


def _by_employee(rows: list[EmployeePay]) -> dict[str, Any]:
    out: list[list[str | None]] = []
    for row in rows:
        gross, er_tax, er_ben, _ = _expense_rows([row])
        name = f"{row.first_name} {row.last_name}"
        out.append([name, *_gl_row("RegularWages", f"Wages for {name}", gross, True)])
        if er_tax:
            out.append([name, *_gl_row("EmployerTax", f"Employer taxes for {name}", er_tax, True)])
        if er_ben:
            out.append([name, *_gl_row("BenefitCompanyContribution", f"Benefits for {name}", er_ben, True)])
    return {"headers": ["Employee", "Account Type", "Account Description", "Debit", "Credit"], "rows": out}


def payroll_in_window(payroll: Payroll, start: date, end: date, by_check_date: bool, hide_offcycle: bool) -> bool:
    """Whether the payroll falls in [start, end]: by check date, or by its pay period lying inside."""
    if by_check_date:
        return start <= payroll.check_date <= end
    if payroll.off_cycle and hide_offcycle:
        return False
    return payroll.start_date >= start and payroll.end_date <= end
