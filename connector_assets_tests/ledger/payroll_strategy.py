"""Hypothesis strategy: consistent Gusto-shaped processed payrolls with employees and a covering mapping.

Written from Gusto's spec (``Payroll-Employee-Compensations-Base-Type``, ``Payroll-Totals-Type``,
``Payroll-Company-Taxes-Type``), not from the sandbox generator. Per employee: earnings on one or two
jobs (corrections may be negative), hours-only ``paid_time_off`` whose pay is only inside ``gross_pay``,
cash tips, taxes, benefits, deductions and reimbursements; net = gross - employee taxes - employee
benefit deductions - deductions - cash tips; ``check_amount`` = net + reimbursements. Payroll-level
``company_taxes`` (possibly negative) come on top and are inside ``employer_taxes`` and ``tax_debit``.
The bank figures: ``net_pay_debit`` (direct deposit net), ``reimbursement_debit`` (direct-deposit
employees' reimbursements; a check-paid one is on the paper check), ``child_support_debit``, and
``company_debit`` their sum with ``tax_debit``. Some employees carry a percentage split. Every employee has
an observed assignment from before the pay period; some are transferred to another department inside it
(and some again after it), and the case says whether the connection posts at period end or prorates.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Literal

from hypothesis import strategies as st

from connector_assets.ledger.categories import DEBIT_KEYS
from connector_assets.workforce.assignments import Assignment, AssignmentBasis

HOURLY = ("Regular Hours", "Overtime", "Double overtime")
FIXED = ("Bonus", "Commission", "Paycheck Tips", "Severance")
DEPARTMENTS = ("Engineering", "Operations", "Support", None)
positive = st.integers(min_value=1, max_value=400_000)
# With ``options``: Gusto's own tax names (some with rules, some not), refunds, benefits and deductions by name.
TAX_NAMES = ("Federal Income Tax", "Social Security", "Medicare", "FUTA", "CA SUI", "CA SDI", "NYC Local Tax")
BENEFIT_NAMES = ("Medical Insurance", "401K", "Dental")
DEDUCTION_NAMES = ("Child Support", "Garnishment", "Student Loan Garnishment", "Charitable Donation")
PERIOD = (dt.date(2025, 5, 12), dt.date(2025, 5, 25))  # the 14-day pay period paid on 2025-05-30
HIRED = dt.date(2024, 1, 8)


@dataclass(frozen=True)
class Case:
    """One generated payroll with what is needed to journalize it."""

    payroll: dict[str, Any]
    employees: list[dict[str, Any]]
    mapping_yaml: str
    splits: dict[str, dict[str, Decimal]]
    taxes: Literal["consolidated", "itemized"] = "consolidated"
    history: list[Assignment] = field(default_factory=list)
    basis: AssignmentBasis = "period_end"
    period: tuple[dt.date, dt.date] = PERIOD


def negated(payroll: dict[str, Any], uuid: str) -> dict[str, Any]:
    """Gusto's reversal of ``payroll``: a payroll of its own whose every amount has the opposite sign."""

    def flip(value: Any, key: str = "", money: bool = False) -> Any:
        if isinstance(value, dict):
            return {k: flip(v, k, key == "totals") for k, v in value.items()}
        if isinstance(value, list):
            return [flip(v, key) for v in value]
        if (money or key in MONEY_KEYS) and isinstance(value, (str, float, int)) and not isinstance(value, bool):
            cents = -round(Decimal(str(value)) * 100)
            return _number(cents) if isinstance(value, float) else _text(cents)
        if key == "hours" and isinstance(value, str):
            return f"{-Decimal(value):.3f}"
        return value

    return flip(payroll) | {"payroll_uuid": uuid, "off_cycle": True, "off_cycle_reason": "Reversal"}


MONEY_KEYS = frozenset({"amount", "net_pay", "gross_pay", "check_amount", "employee_deduction",
                        "company_contribution"})  # fmt: skip


def _text(cents: int) -> str:
    return f"{Decimal(cents) / 100:.2f}"


def _number(cents: int) -> float:
    return float(_text(cents))


def _percentages(draw: st.DrawFn) -> dict[str, Decimal]:
    k = draw(st.integers(min_value=2, max_value=4))
    cuts = sorted(draw(st.lists(st.integers(1, 9_999), min_size=k - 1, max_size=k - 1, unique=True)))
    bps = [b - a for a, b in zip([0, *cuts], [*cuts, 10_000], strict=True)]
    return {f"{500 + i}": Decimal(bp) / 100 for i, bp in enumerate(bps)}


@st.composite
def payroll_cases(draw: st.DrawFn, max_employees: int = 5, options: bool = False) -> Case:
    """A processed payroll whose totals obey the identities of payroll-accounting §3.

    ``options`` adds named and negative taxes, deferred taxes, named benefits and deductions, owner's
    draws, and a mapping with by-name tax and benefit rules, posted consolidated or itemized.
    """
    totals: dict[str, int] = {}
    # Gusto sends strings, sometimes JSON numbers: one choice per payroll keeps the draw count low.
    money = _number if draw(st.booleans()) else _text

    def add(name: str, cents: int) -> None:
        totals[name] = totals.get(name, 0) + cents

    comps, employees, splits = [], [], {}
    history: list[Assignment] = []
    for i in range(draw(st.integers(min_value=1, max_value=max_employees))):
        uuid = f"{i:08d}-0000-4000-8000-000000000001"
        jobs = [f"{i:08d}-{j:04d}-4000-8000-000000000002" for j in range(draw(st.integers(1, 2)))]
        comp: dict[str, Any] = {"employee_uuid": uuid, "excluded": False, "hourly_compensations": [],
                                "fixed_compensations": [], "taxes": [], "benefits": [], "deductions": [],
                                "reimbursements": []}  # fmt: skip
        gross = withheld = 0
        for name in draw(st.lists(st.sampled_from(HOURLY + FIXED), max_size=4)):
            cents = draw(positive)
            kind = "hourly_compensations" if name in HOURLY else "fixed_compensations"
            comp[kind].append({"name": name, "amount": money(cents), "job_uuid": draw(st.sampled_from(jobs))})
            gross += cents
            add({"Bonus": "employee_bonuses", "Commission": "employee_commissions"}.get(name, "other"), cents)
        if draw(st.booleans()):
            cents = draw(st.integers(min_value=-50_000, max_value=50_000).filter(bool))
            comp["fixed_compensations"].append({"name": "Correction Payment", "amount": money(cents)})
            gross += cents
        if draw(st.integers(0, 2)) == 0:
            # Hours only, as Gusto sends processed PTO; its pay is inside gross_pay and nowhere else.
            hours = draw(st.integers(1, 80))
            comp["paid_time_off"] = [{"name": draw(st.sampled_from(["Vacation Hours", "Sick Hours"])),
                                      "hours": f"{hours}.000", "final_payout_unused_hours_input": None}]  # fmt: skip
            gross += hours * draw(st.integers(1_500, 9_000))
        tips = draw(st.sampled_from([0, 0, 0, 2_500]))
        if tips:
            comp["fixed_compensations"].append({"name": "Cash Tips", "amount": money(tips)})
            gross += tips
            add("employee_cash_tips", tips)
        for j, employer in enumerate(draw(st.lists(st.booleans(), max_size=4))):
            low = -5_000 if options else 1
            cents = draw(st.integers(min_value=low, max_value=60_000).filter(bool))
            name = draw(st.sampled_from(TAX_NAMES)) if options else f"Tax {j}"
            comp["taxes"].append({"name": name, "employer": employer, "amount": money(cents)})
            add("employer_taxes" if employer else "employee_taxes", cents)
            withheld += 0 if employer else cents
        for j in range(draw(st.integers(0, 2))):
            ee, er = draw(st.integers(0, 30_000)), draw(st.integers(0, 30_000))
            plan = draw(st.sampled_from(BENEFIT_NAMES)) if options else f"Plan {j}"
            comp["benefits"].append({"name": plan, "employee_deduction": money(ee),
                                     "company_contribution": money(er), "imputed": False})  # fmt: skip
            add("employee_benefits_deductions", ee)
            add("benefits", er)
            withheld += ee
        names = DEDUCTION_NAMES if options else ("Child Support", "Garnishment")
        for name in draw(st.lists(st.sampled_from(names), max_size=2)):
            cents = draw(st.integers(1, 20_000))
            comp["deductions"].append({"name": name, "amount": money(cents)})
            withheld += cents
            add("child_support_debit" if name == "Child Support" else "other", cents)
            add("other_deductions", cents)
        method = draw(st.sampled_from(["Direct Deposit", "Check"]))
        reimbursed = 0
        for _ in range(draw(st.integers(0, 1))):
            cents = draw(st.integers(1, 50_000))
            comp["reimbursements"].append({"amount": _text(cents), "description": None})
            add("reimbursements", cents)
            reimbursed += cents
        net = gross - withheld - tips
        if options and draw(st.integers(0, 4)) == 0:
            # An owner's draw is paid with net pay but is not wages: outside gross_pay.
            drawn = draw(positive)
            comp["fixed_compensations"].append({"name": "Owner's Draw", "amount": money(drawn)})
            net += drawn
            add("owners_draw", drawn)
        comp |= {"payment_method": method, "net_pay": money(net), "gross_pay": money(gross),
                 "check_amount": money(net + reimbursed)}  # fmt: skip
        add("gross_pay", gross)
        add("net_pay", net)
        if method == "Direct Deposit":
            add("net_pay_debit", net)
            add("reimbursement_debit", reimbursed)
        else:
            add("check_amount", net + reimbursed)
        comps.append(comp)
        dept = draw(st.sampled_from(DEPARTMENTS))
        employees.append({"uuid": uuid, "department": dept, "department_uuid": None,
                          "jobs": [{"uuid": j, "title": f"Job {j[-1]}", "primary": n == 0, "rate": "30.00"}
                                   for n, j in enumerate(jobs)]})  # fmt: skip
        if draw(st.integers(0, 3)) == 0:
            splits[uuid] = _percentages(draw)
        mine = _assignments(draw, uuid, dept, jobs[0])
        employees[-1]["department"] = mine[-1].department  # Gusto shows today's department only
        history += mine
    company_taxes = [
        {"name": name, "amount": _text(cents), "employer": True}
        for name, cents in draw(st.lists(st.tuples(st.sampled_from(["NY MCTMT", "MO Compensation Deduction"]),
                                                   st.integers(-5_000, 50_000).filter(bool)), max_size=2))
    ]  # fmt: skip
    for tax in company_taxes:
        add("employer_taxes", round(Decimal(tax["amount"]) * 100))
    totals["tax_debit"] = totals.get("employee_taxes", 0) + totals.get("employer_taxes", 0)
    if options and draw(st.booleans()):
        # Taxes deferred (CARES act) are inside the tax totals but not debited.
        totals["deferred_payroll_taxes"] = draw(st.integers(-20_000, 20_000).filter(bool))
        totals["tax_debit"] -= totals["deferred_payroll_taxes"]
    debits = ("net_pay_debit", "tax_debit", "reimbursement_debit", "child_support_debit")
    totals["company_debit"] = sum(totals.get(k, 0) for k in debits)
    totals.pop("other", None)
    payroll = {"payroll_uuid": "p-" + draw(st.uuids()).hex[:12], "check_date": "2025-05-30", "processed": True,
               "pay_period": {"start_date": PERIOD[0].isoformat(), "end_date": PERIOD[1].isoformat()},
               "totals": {k: f"{Decimal(v) / 100:.2f}" for k, v in totals.items()},
               "company_taxes": company_taxes, "employee_compensations": comps}  # fmt: skip
    mapping = _mapping(splits, company_cc=draw(st.booleans()))
    basis: AssignmentBasis = draw(st.sampled_from(["period_end", "prorate"]))
    if not options:
        return Case(payroll, employees, mapping, splits, history=history, basis=basis)
    mode: Literal["consolidated", "itemized"] = draw(st.sampled_from(["consolidated", "itemized"]))
    return Case(payroll, employees, mapping + _named_sections(draw), splits, mode, history=history, basis=basis)


def _assignments(draw: st.DrawFn, uuid: str, department: str | None, job: str) -> list[Assignment]:
    """The employee's observed history: hired before the period, maybe moved inside it, maybe again after."""
    first = Assignment(uuid, HIRED, department=department, job_uuid=job)
    out = [first]
    if draw(st.integers(0, 2)) == 0:
        day = PERIOD[0] + dt.timedelta(days=draw(st.integers(1, (PERIOD[1] - PERIOD[0]).days)))
        moved = draw(st.sampled_from([d for d in DEPARTMENTS if d != department]))
        out.append(Assignment(uuid, day, department=moved, job_uuid=job, source="employee webhook"))
        if draw(st.booleans()):  # a later move must change nothing for this period
            out.append(Assignment(uuid, PERIOD[1] + dt.timedelta(days=3), department=department, job_uuid=job))
    return out


def _named_sections(draw: st.DrawFn) -> str:
    """A taxes: section naming some of Gusto's taxes (others fall to the default, if any) and a benefits: one."""
    lines = ["taxes:", "  by_name:"]
    for n, name in enumerate(draw(st.lists(st.sampled_from(TAX_NAMES), unique=True, min_size=1))):
        lines.append(f'    "{name}": {{expense: "71{n:02d}", liability: "72{n:02d}"}}')
    if draw(st.booleans()):
        lines.append('  default: {expense: "7199", liability: "7299"}')
    lines += ['  receivable: "1200"', '  deferred: "2150"', "benefits:"]
    for n, name in enumerate(draw(st.lists(st.sampled_from(BENEFIT_NAMES), unique=True, min_size=1))):
        lines.append(f'  "{name}": {{expense: "73{n:02d}", liability: "74{n:02d}"}}')
    return "\n".join(lines) + "\n"


def _mapping(splits: dict[str, dict[str, Decimal]], company_cc: bool = True) -> str:
    keys = [k for k in DEBIT_KEYS if company_cc or k != "company_tax"]
    lines = ["defaults:"] + [f'  {k}: {{account: "6{n:03d}", cost_center: "100"}}' for n, k in enumerate(keys)]
    lines += ["credits:"] + [f'  {k}: "2{n:03d}"' for n, k in enumerate(
        ["net_pay_direct_deposit", "net_pay_check", "taxes", "benefits", "deductions", "reimbursement_clearing",
         "cash_tips_offset", "child_support", "garnishments", "owners_draw"])]  # fmt: skip
    lines += ["departments:", '  Engineering: {cost_center: "200"}', '  Operations: {cost_center: "300"}',
              '  Support: {cost_center: "400", accounts: {regular: "6999"}}']  # fmt: skip
    if splits:
        lines.append("splits:")
        for uuid, shares in splits.items():
            body = ", ".join(f'"{cc}": {pct}' for cc, pct in shares.items())
            lines.append(f"  - {{employee: {uuid}, cost_centers: {{{body}}}}}")
    return "\n".join(lines) + "\n"
