"""Payroll arithmetic of the generated world: per-employee pay lines and payroll totals, in integer cents.

Each employee's row is derived from a random stream keyed by (seed, payroll, employee), so rows can be
computed lazily, in any order, and still come out the same. The totals are sums of the rows, so Gusto's
identities (payroll-accounting.md §3, I1-I5) hold by construction.

Shapes Gusto produces that a journal must read right (payroll-accounting §12): PTO comes as hours only,
its pay inside `gross_pay`; NY employees' wages carry a payroll-level company tax (MCTMT) on top of the
employees' taxes; check-paid employees may have reimbursements, paid on the check (`check_amount` = net
pay + reimbursements, so not in `reimbursement_debit`).
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Iterable

from connector_assets.sandbox.generator_models import (
    BenefitLine,
    EarningLine,
    Employee,
    EmployeePay,
    Job,
    Payroll,
    World,
)

# Federal withholding approximated by a flat rate chosen from the annualised taxable wage (in cents).
_FEDERAL_BRACKETS_BP = ((4_000_000, 1000), (9_000_000, 1200), (19_000_000, 2200), (10**15, 2400))
_SS_BP, _MEDICARE_BP, _FUTA_BP = 620, 145, 60
MULTIPLIERS = {"Regular Hours": (1, 1), "Overtime": (3, 2), "Double overtime": (2, 1)}
MCTMT_BP = 34  # NY metropolitan commuter transportation mobility tax, employer only, on NY wages
PTO_HOURS_MILLI = 8000
CHILD_SUPPORT = "Child Support"
TOTAL_FIELDS = (
    "company_debit",
    "net_pay_debit",
    "tax_debit",
    "reimbursement_debit",
    "child_support_debit",
    "reimbursements",
    "net_pay",
    "gross_pay",
    "employee_bonuses",
    "employee_commissions",
    "employee_cash_tips",
    "employee_paycheck_tips",
    "additional_earnings",
    "owners_draw",
    "check_amount",
    "employer_taxes",
    "employee_taxes",
    "benefits",
    "employee_benefits_deductions",
    "imputed_pay",
    "deferred_payroll_taxes",
    "other_deductions",
)


def pct(amount_cents: int, basis_points: int) -> int:
    """`amount * bp / 10 000`, rounded half away from zero, in integer cents."""
    sign = -1 if amount_cents < 0 else 1
    return sign * ((abs(amount_cents) * basis_points + 5000) // 10000)


def hourly_amount(hours_milli: int, rate_cents: int, multiplier: tuple[int, int]) -> int:
    """Pay for `hours_milli` thousandths of an hour at `rate_cents` times the multiplier, rounded half up to the cent."""
    num, den = multiplier
    scale = 1000 * den
    return (2 * hours_milli * rate_cents * num + scale) // (2 * scale)


def _row_rng(world: World, payroll: Payroll, employee: Employee) -> random.Random:
    return random.Random((world.seed << 64) ^ (payroll.seq << 32) ^ employee.seq)


def _periods_per_year(world: World, payroll: Payroll, employee: Employee) -> int:
    schedule = world.pay_schedule(payroll.pay_schedule_uuid) or world.pay_schedule(employee.pay_schedule_uuid)
    return schedule.periods_per_year if schedule else 24


def _active_jobs(employee: Employee, payroll: Payroll) -> list[Job]:
    jobs = [j for j in employee.jobs if j.hire_date <= payroll.end_date]
    return jobs or [employee.primary_job]


def _regular_earnings(
    world: World, employee: Employee, payroll: Payroll, ppy: int, rng: random.Random
) -> tuple[list[EarningLine], list[tuple[str, int]], int]:
    """Earning lines, PTO (name, hours) taken, and the PTO pay that only gross_pay carries."""
    earnings: list[EarningLine] = []
    pto: list[tuple[str, int]] = []
    pto_cents = 0
    base_hours = 2_080_000 // ppy
    jobs = _active_jobs(employee, payroll)
    secondary_hours = 0
    for job in sorted(jobs, key=lambda j: j.primary):  # secondary jobs first, so the primary gets the rest
        comp = job.compensation_on(payroll.end_date)
        if comp.payment_unit != "Hour":
            hours = base_hours
            amount = (comp.rate_cents + ppy // 2) // ppy
            if rng.random() < 0.15:
                pto.append(("Vacation Hours", PTO_HOURS_MILLI))
                hours -= PTO_HOURS_MILLI
                share = (amount * PTO_HOURS_MILLI + base_hours // 2) // base_hours
                pto_cents += share
                amount -= share
            earnings.append(EarningLine("hourly", "Regular Hours", job.uuid, amount, hours, "1", comp.flsa_status))
            continue
        if job.primary:
            hours = max(rng.randint(base_hours * 3 // 4000, base_hours // 1000) * 1000 - secondary_hours, 4000)
        else:
            hours = rng.randint(4, 20) * 1000
            secondary_hours += hours
        lines = [("Regular Hours", hours)]
        if job.primary and rng.random() < 0.3:
            lines.append(("Overtime", rng.randint(2, 20) * 500))
        if job.primary and rng.random() < 0.2:
            pto.append(("Sick Hours", PTO_HOURS_MILLI))
            pto_cents += hourly_amount(PTO_HOURS_MILLI, comp.rate_cents, MULTIPLIERS["Regular Hours"])
        for name, line_hours in lines:
            amount = hourly_amount(line_hours, comp.rate_cents, MULTIPLIERS[name])
            mult = "1" if name == "Regular Hours" else "1.5"
            earnings.append(EarningLine("hourly", name, job.uuid, amount, line_hours, mult, comp.flsa_status))
    department = world.department(employee.department_uuid)
    if department is not None and department.title == "Sales" and rng.random() < 0.4:
        amount = rng.randint(200, 3000) * 100
        earnings.append(EarningLine("fixed", "Commission", employee.primary_job.uuid, amount))
    return earnings, pto, pto_cents


def _taxes(world: World, employee: Employee, gross: int, pretax: int, fica_exempt: int, ppy: int):
    taxable = max(gross - pretax, 0)
    fica_base = max(gross - fica_exempt, 0)
    annual = taxable * ppy
    fit_bp = next(bp for limit, bp in _FEDERAL_BRACKETS_BP if annual < limit)
    location = world.location(employee.location_uuid)
    state = location.state if location else "CA"
    taxes: list[tuple[str, bool, int]] = [
        ("Federal Income Tax", False, pct(taxable, fit_bp)),
        ("Social Security", False, pct(fica_base, _SS_BP)),
        ("Medicare", False, pct(fica_base, _MEDICARE_BP)),
    ]
    if location and location.state_tax_bp:
        taxes.append((f"{state} State Income Tax", False, pct(taxable, location.state_tax_bp)))
    taxes += [
        ("Social Security", True, pct(fica_base, _SS_BP)),
        ("Medicare", True, pct(fica_base, _MEDICARE_BP)),
        ("FUTA", True, pct(fica_base, _FUTA_BP)),
        (f"{state} SUI", True, pct(fica_base, location.sui_rate_bp if location else 270)),
    ]
    return [t for t in taxes if t[2] != 0]


def employee_pay(world: World, payroll: Payroll, employee: Employee) -> EmployeePay:
    """Compute one employee's row on `payroll` (regular or off-cycle bonus)."""
    rng = _row_rng(world, payroll, employee)
    ppy = _periods_per_year(world, payroll, employee)
    pto: list[tuple[str, int]] = []
    pto_cents = 0
    if payroll.off_cycle:
        bonus = payroll.bonus_cents.get(employee.uuid) or rng.randint(5, 50) * 10000
        earnings = [EarningLine("fixed", "Bonus", employee.primary_job.uuid, bonus)]
    else:
        earnings, pto, pto_cents = _regular_earnings(world, employee, payroll, ppy, rng)
    gross = sum(e.amount_cents for e in earnings) + pto_cents
    benefits: list[BenefitLine] = []
    deductions: list[tuple[str, int]] = []
    reimbursements: list[tuple[str, int]] = []
    if not payroll.off_cycle:  # off-cycle bonus runs skip regular deductions and contributions
        for b in employee.benefits:
            ee = b.employee_cents + pct(gross, b.employee_bp)
            er = b.employer_cents + pct(gross, b.employer_bp)
            benefits.append(BenefitLine(b.name, ee, er))
        deductions = [(d.name, d.amount_cents) for d in employee.deductions]
        # A check-paid employee's reimbursement is paid on the paper check (check_amount = net + reimbursements).
        if rng.random() < (0.3 if employee.payment_method == "Check" else 0.1):
            reimbursements.append(("Travel", rng.randint(20, 300) * 100))
    pay = _finish(world, employee, earnings, (pto, pto_cents), benefits, deductions, reimbursements, ppy)
    if pay.net_cents < 0:  # a tiny paycheck cannot carry its deductions: drop them, as payroll would
        pay = _finish(world, employee, earnings, (pto, pto_cents), [], [], reimbursements, ppy)
    if not payroll.processed:
        pay.version = hashlib.blake2b(f"{payroll.uuid}:{employee.uuid}".encode(), digest_size=16).hexdigest()
    return pay


def _finish(world, employee, earnings, paid_time_off, benefits, deductions, reimbursements, ppy) -> EmployeePay:
    pto, pto_cents = paid_time_off
    gross = sum(e.amount_cents for e in earnings) + pto_cents
    pretax = sum(b.employee_cents for b in benefits)
    fica_exempt = sum(b.employee_cents for b in benefits if b.name != "401K")
    taxes = _taxes(world, employee, gross, pretax, fica_exempt, ppy)
    ee_taxes = sum(t[2] for t in taxes if not t[1])
    net = gross - ee_taxes - pretax - sum(d[1] for d in deductions)
    check = net + sum(r[1] for r in reimbursements)
    return EmployeePay(
        employee.uuid,
        employee.first_name,
        employee.last_name,
        employee.payment_method,
        earnings,
        pto,
        reimbursements,
        benefits,
        deductions,
        taxes,
        gross,
        net,
        check,
        pto_cents=pto_cents,
    )


def negate(pay: EmployeePay) -> EmployeePay:
    """The reversing row of `pay`: every amount with its sign flipped."""
    return EmployeePay(
        pay.employee_uuid,
        pay.first_name,
        pay.last_name,
        pay.payment_method,
        [
            EarningLine(e.kind, e.name, e.job_uuid, -e.amount_cents, -e.hours_milli, e.multiplier, e.flsa_status)
            for e in pay.earnings
        ],
        [(n, -h) for n, h in pay.pto],
        [(n, -a) for n, a in pay.reimbursements],
        [BenefitLine(b.name, -b.employee_cents, -b.company_cents, b.imputed) for b in pay.benefits],
        [(n, -a) for n, a in pay.deductions],
        [(n, er, -a) for n, er, a in pay.taxes],
        -pay.gross_cents,
        -pay.net_cents,
        -pay.check_cents,
        pto_cents=-pay.pto_cents,
    )


def payroll_pay(world: World, payroll: Payroll) -> list[EmployeePay]:
    """The payroll's employee rows, computed on first use and cached on the payroll."""
    if payroll.pay is None:
        if payroll.reversal_of is not None:
            original = world.payroll(payroll.reversal_of)
            source = payroll_pay(world, original) if original else []
            payroll.pay = [negate(p) for p in source]
        else:
            by_uuid = world.employee
            payroll.pay = [employee_pay(world, payroll, e) for u in payroll.employee_uuids if (e := by_uuid(u))]
    return payroll.pay


def company_taxes(world: World, payroll: Payroll) -> list[tuple[str, int]]:
    """Payroll-level employer taxes beyond the employees' own (`company_taxes`): MCTMT on NY wages."""
    if payroll.reversal_of is not None:
        original = world.payroll(payroll.reversal_of)
        return [(n, -a) for n, a in company_taxes(world, original)] if original else []
    if payroll.off_cycle or not payroll.processed:
        return []
    ny = {loc.uuid for loc in world.locations if loc.state == "NY"}
    located = ((row, world.employee(row.employee_uuid)) for row in payroll_pay(world, payroll))
    wages = sum(row.gross_cents for row, emp in located if emp is not None and emp.location_uuid in ny)
    amount = pct(wages, MCTMT_BP)
    return [("NY MCTMT", amount)] if amount else []


def payroll_totals(rows: Iterable[EmployeePay], taxes: Iterable[tuple[str, int]] = ()) -> dict[str, int]:
    """Gusto's `totals` object in cents, summed from the rows (I5) and the payroll-level `taxes`, obeying I1-I4."""
    t = dict.fromkeys(TOTAL_FIELDS, 0)
    t["employer_taxes"] = sum(a for _, a in taxes)
    for p in rows:
        t["gross_pay"] += p.gross_cents
        t["net_pay"] += p.net_cents
        if p.payment_method == "Check":
            t["check_amount"] += p.check_cents
        else:
            t["net_pay_debit"] += p.net_cents
        for e in p.earnings:
            if e.name == "Bonus":
                t["employee_bonuses"] += e.amount_cents
            elif e.name == "Commission":
                t["employee_commissions"] += e.amount_cents
            elif e.kind == "fixed":
                t["additional_earnings"] += e.amount_cents
        for _, employer, amount in p.taxes:
            t["employer_taxes" if employer else "employee_taxes"] += amount
        for b in p.benefits:
            t["benefits"] += b.company_cents
            t["employee_benefits_deductions"] += b.employee_cents
        for name, amount in p.deductions:
            t["other_deductions"] += amount
            if name == CHILD_SUPPORT:
                t["child_support_debit"] += amount
        reimbursed = sum(a for _, a in p.reimbursements)
        t["reimbursements"] += reimbursed
        if p.payment_method != "Check":  # on a paper check it is in check_amount, not debited by Gusto
            t["reimbursement_debit"] += reimbursed
    t["tax_debit"] = t["employee_taxes"] + t["employer_taxes"]
    t["company_debit"] = t["net_pay_debit"] + t["tax_debit"] + t["reimbursement_debit"] + t["child_support_debit"]
    return t
