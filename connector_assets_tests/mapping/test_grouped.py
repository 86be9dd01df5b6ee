"""Grouped resolution: a summarized journal from like items resolved once equals the per-item journal."""

from __future__ import annotations

from typing import Any

import polars as pl
from hypothesis import HealthCheck, given, settings

from connector_assets.ledger import Journal, JournalOptions, build_journal, payroll_items
from connector_assets.mapping import employee_attributes, parse_mapping, resolve, resolve_grouped
from connector_assets.mapping.periods import attributes_for_period, split_items_by_days
from connector_assets.workforce.assignments import period_shares
from connector_assets_tests.ledger.builders import compensation
from connector_assets_tests.ledger.payroll_strategy import Case, negated, payroll_cases
from connector_assets_tests.mapping.hand_examples import hand_examples

OPTIONS = JournalOptions(connection_id="acme")


def _both(
    payroll: dict[str, Any], items: pl.DataFrame, attributes: pl.DataFrame, mapping: str, taxes: str
) -> tuple[Journal, Journal, pl.DataFrame]:
    rules = parse_mapping(mapping)
    per_item = build_journal(payroll, items, resolve(items, attributes, rules, taxes), OPTIONS)  # type: ignore[arg-type]
    legs = resolve_grouped(items, attributes, rules, taxes, min_items=0)  # type: ignore[arg-type]
    return per_item, build_journal(payroll, items, legs, OPTIONS), legs


def _assert_same(per_item: Journal, grouped: Journal) -> None:
    assert grouped.lines.to_dicts() == per_item.lines.to_dicts()
    assert grouped.header == per_item.header
    assert grouped.proofs == per_item.proofs


def _case_journals(case: Case, payroll: dict[str, Any]) -> tuple[Journal, Journal, pl.DataFrame]:
    start, end = case.period
    shares = {e["uuid"]: s for e in case.employees
              if (s := period_shares(case.history, e["uuid"], start, end, case.basis))}  # fmt: skip
    attributes, parts = attributes_for_period(employee_attributes(case.employees), shares)
    items = split_items_by_days(payroll_items(payroll), parts)
    return _both(payroll, items, attributes, case.mapping_yaml, case.taxes)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=payroll_cases(max_employees=8, options=True))
def test_generated_payrolls_and_their_reversals_give_the_same_summarized_journal(case: Case) -> None:
    """Splits, transfers inside the period, itemized taxes, refunds, deferrals, draws: line for line."""
    _assert_same(*_case_journals(case, case.payroll)[:2])
    _assert_same(*_case_journals(case, negated(case.payroll, "reversal"))[:2])


def test_worked_and_accounting_examples_give_the_same_lines() -> None:
    """The hand-computed journals (consolidated and itemized) come out of the grouped legs unchanged."""
    for payroll, employees, mapping, taxes in hand_examples():
        _assert_same(*_both(payroll, payroll_items(payroll), employee_attributes(employees), mapping, taxes)[:2])


MAPPING = """
defaults:
  regular: {account: "6010", cost_center: "100"}
  bonus: {account: "6020", cost_center: "100"}
  employer_tax: {account: "6100", cost_center: "100"}
credits:
  net_pay_direct_deposit: "1090"
  net_pay_check: "2010"
  taxes: "1090"
  benefits: "2300"
  deductions: "2400"
  reimbursement_clearing: "1090"
departments:
  Engineering: {cost_center: "200"}
jobs:
  Foreman: {cost_center: "330"}
splits:
  - job: Welder
    cost_centers: {"510": 33.33, "520": 66.67}
"""


def _crew(n: int) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """``n`` Engineering employees; every third also works a Foreman job, every fifth is a split Welder,
    the third has a bonus on a job the snapshot lacks, the last a pay type Gusto may add later (held)."""
    comps, employees = [], []
    for i in range(n):
        uuid, job = f"{i:08d}-0000-4000-8000-00000000000e", f"{i:08d}-0000-4000-8000-00000000000j"
        title = "Welder" if i % 5 == 0 else "Tech"
        jobs = [{"uuid": job, "title": title, "primary": True, "rate": "30.00"}]
        fixed = [{"name": "Regular Hours", "amount": f"{1000 + 7 * i}.01", "job_uuid": job}]
        if i % 3 == 0:
            jobs.append({"uuid": job + "f", "title": "Foreman", "primary": False, "rate": "45.00"})
            fixed.append({"name": "Bonus", "amount": "100.33", "job_uuid": job + "f"})
        if i == 2:
            fixed.append({"name": "Bonus", "amount": "50.00", "job_uuid": "a job no longer in the snapshot"})
        if i == n - 1:
            fixed.append({"name": "Hazard Pay", "amount": "10.00"})
        taxes = [{"name": "FICA", "employer": True, "amount": f"{70 + i}.07"},
                 {"name": "FICA", "employer": False, "amount": "70.00"}]  # fmt: skip
        comps.append(compensation(uuid, f"{900 + i}.00", fixed_compensations=fixed, taxes=taxes))
        employees.append({"uuid": uuid, "department": "Engineering", "department_uuid": "d-eng", "jobs": jobs})
    payroll = {"payroll_uuid": "crew", "check_date": "2025-06-30", "employee_compensations": comps,
               "company_taxes": [{"name": "SUTA", "amount": "12.34"}]}  # fmt: skip
    return payroll, employees


def test_like_employees_resolve_once_and_the_rest_item_by_item() -> None:
    """Like employees of one department are summed; the split Welders, the employees whose wages sit on
    two cost centres and the held pay type keep their own legs, and the lines are unchanged."""
    payroll, employees = _crew(30)
    items = payroll_items(payroll)
    per_item, grouped, legs = _both(payroll, items, employee_attributes(employees), MAPPING, "consolidated")
    _assert_same(per_item, grouped)
    per_item_legs = resolve(items, employee_attributes(employees), parse_mapping(MAPPING))
    assert legs.height < per_item_legs.height
    # A payroll this small resolves item by item unless asked otherwise: the same legs, sooner.
    assert resolve_grouped(items, employee_attributes(employees), parse_mapping(MAPPING)).equals(per_item_legs)
    named = set(legs["employee_uuid"].drop_nulls())
    plain = {e["uuid"] for i, e in enumerate(employees) if i % 3 and i % 5 and i not in (2, 29)}
    assert len(plain) == 14 and not plain & named
    # Split Welders, Foremen (wages on 200 and 330), the one paid on a job the snapshot lacks and the held
    # employee resolve item by item.
    alone = {e["uuid"] for i, e in enumerate(employees) if i % 3 == 0 or i % 5 == 0 or i in (2, 29)}
    assert alone == named
    held = grouped.lines.filter(pl.col("unmapped_reason").is_not_null())
    assert held["employee_uuid"].to_list() == [employees[-1]["uuid"]]
    assert {"510", "520", "330", "200"} <= set(grouped.lines["cost_center"].drop_nulls())


SIGNS_MAPPING = """
defaults:
  regular: {account: "6010", cost_center: "100"}
  correction: {account: "6015", cost_center: "100"}
  employer_tax: {account: "6100", cost_center: "150"}
credits:
  net_pay_direct_deposit: "1090"
  net_pay_check: "2010"
  taxes: "1090"
  benefits: "2300"
  deductions: "2400"
  reimbursement_clearing: "1090"
"""


def _techs(wages: list[list[tuple[str, str, str]]]) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """One Tech per entry of ``wages`` (name, amount, job: ``"own"`` or another uuid), each on one job
    and with employer FICA, so an employer cost lands on 150 by its own rule and on 100 following wages."""
    comps, employees = [], []
    for i, lines in enumerate(wages):
        uuid, job = f"{i:08d}-0000-4000-8000-00000000000e", f"{i:08d}-0000-4000-8000-00000000000j"
        fixed = [
            {"name": name, "amount": amount, "job_uuid": job if on == "own" else on} for name, amount, on in lines
        ]
        taxes = [{"name": "FICA", "employer": True, "amount": f"{30 + i}.07"}]
        comps.append(compensation(uuid, "0.00", fixed_compensations=fixed, taxes=taxes))
        jobs = [{"uuid": job, "title": "Tech", "primary": True, "rate": "30.00"}]
        employees.append({"uuid": uuid, "department": "Engineering", "department_uuid": "d-eng", "jobs": jobs})
    return {"payroll_uuid": "signs", "check_date": "2025-06-30", "employee_compensations": comps}, employees


def test_employees_whose_wages_net_to_zero_or_below_or_who_have_none_keep_their_employer_costs_apart() -> None:
    """Employer costs follow wages only where they have a sign: an employee with no wages, or wages that net
    to zero, places its FICA by its own rule (150), one whose wages net negative follows them (100), like
    items of positive wages are still summed, and a line on a job the snapshot lacks sends its employee
    item by item (every employee holds one job here)."""
    plain = [[("Regular Hours", f"{1000 + i}.00", "own")] for i in range(8)]
    netting = [("Regular Hours", "100.00", "own"), ("Correction Payment", "-100.00", "own")]
    negative = [("Correction Payment", "-80.00", "own")]
    stray = [("Regular Hours", "500.00", "own"), ("Regular Hours", "50.00", "a job no longer in the snapshot")]
    payroll, employees = _techs([*plain, netting, negative, [], stray, netting, negative, []])
    items = payroll_items(payroll)
    per_item, grouped, legs = _both(payroll, items, employee_attributes(employees), SIGNS_MAPPING, "consolidated")
    _assert_same(per_item, grouped)
    assert legs.height < resolve(items, employee_attributes(employees), parse_mapping(SIGNS_MAPPING)).height
    assert {employees[11]["uuid"]} == set(legs["employee_uuid"].drop_nulls())
    fica = grouped.lines.filter(pl.col("account") == "6100").select("cost_center", "debit_cents").rows()
    assert sorted(fica) == [
        ("100", sum(3007 + 100 * i for i in (*range(8), 9, 11, 13))),
        ("150", 3807 + 4007 + 4207 + 4407),
    ]


def test_a_held_group_of_items_whose_name_no_rule_reads_falls_back_to_its_employees() -> None:
    """No account for employer taxes: every FICA leg is held, per employee, as item by item."""
    payroll, employees = _techs([[("Regular Hours", f"{1000 + i}.00", "own")] for i in range(6)])
    mapping = SIGNS_MAPPING.replace('  employer_tax: {account: "6100", cost_center: "150"}\n', "")
    per_item, grouped, _ = _both(
        payroll, payroll_items(payroll), employee_attributes(employees), mapping, "consolidated"
    )
    _assert_same(per_item, grouped)
    held = grouped.lines.filter(pl.col("unmapped_reason").is_not_null())
    assert sorted(held["employee_uuid"]) == sorted(e["uuid"] for e in employees)


def test_an_employee_with_a_second_row_without_a_job_still_finds_its_one_job() -> None:
    """Every employee holds one job, but one has a primary snapshot row without a job besides the row of
    its job: its lines on the job and off it resolve as item by item."""
    payroll, employees = _techs([[("Regular Hours", f"{1000 + i}.00", "own")] for i in range(6)])
    attributes = employee_attributes(employees)
    first = pl.int_range(pl.len()) == 0
    jobless = attributes.head(1).with_columns(job_uuid=pl.lit(None, pl.String), job_title=pl.lit(None, pl.String))
    attributes = pl.concat([attributes.with_columns(primary_job=~first), jobless])
    _assert_same(*_both(payroll, payroll_items(payroll), attributes, SIGNS_MAPPING, "consolidated")[:2])


def test_a_held_line_whose_name_no_rule_reads_falls_back_and_ends() -> None:
    """A reimbursement no rule places is held: its employee resolves item by item, as per item."""
    payroll, employees = _crew(30)
    payroll["employee_compensations"][1]["reimbursements"] = [{"amount": "12.00", "description": None}]
    items = payroll_items(payroll)
    per_item, grouped, _ = _both(payroll, items, employee_attributes(employees), MAPPING, "consolidated")
    _assert_same(per_item, grouped)
    held = grouped.lines.filter(pl.col("unmapped_reason").is_not_null())
    assert employees[1]["uuid"] in held["employee_uuid"].to_list()
