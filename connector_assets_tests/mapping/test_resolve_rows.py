"""Row-by-row resolution of small frames gives exactly the legs of the frame resolution: same rows, order,
values and dtypes, on generated payrolls and their reversals, prorated transfers, the hand examples, the
pseudo-items of summarized journals and the resolution tests' own cases."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings

from connector_assets.ledger import payroll_items
from connector_assets.mapping import employee_attributes, grouped, parse_mapping
from connector_assets.mapping.model import MappingRules
from connector_assets.mapping.named import TaxDetail
from connector_assets.mapping.periods import attributes_for_period, split_items_by_days
from connector_assets.mapping.resolve import _resolve_frames, resolve
from connector_assets.mapping.resolve_rows import resolve_rows
from connector_assets.workforce.assignments import period_shares
from connector_assets_tests.ledger import worked_example as w
from connector_assets_tests.ledger.payroll_strategy import Case, negated, payroll_cases
from connector_assets_tests.mapping import test_grouped, test_named_rules, test_resolution
from connector_assets_tests.mapping.hand_examples import hand_examples

Resolver = Callable[..., pl.DataFrame]


def _same_legs(
    items: pl.DataFrame, attributes: pl.DataFrame, rules: MappingRules, taxes: TaxDetail = "consolidated"
) -> pl.DataFrame:
    """The frame resolution's legs, after checking that the rows give the very same frame."""
    frames = _resolve_frames(items, attributes, rules, taxes)
    by_rows = resolve_rows(items, attributes, rules, taxes)
    assert by_rows is not None, "the rows resolution declined an input it covers"
    assert by_rows.schema == frames.schema
    assert by_rows.to_dicts() == frames.to_dicts()
    return frames


def _checked(calls: list[int]) -> Resolver:
    def resolve(items: pl.DataFrame, attributes: pl.DataFrame, rules: MappingRules, taxes: Any = "consolidated"):  # type: ignore[no-untyped-def]
        calls.append(items.height)
        return _same_legs(items, attributes, rules, taxes)

    return resolve


def _both_paths(
    payroll: dict[str, Any], items: pl.DataFrame, attributes: pl.DataFrame, mapping: str, taxes: str
) -> None:
    """Per-item legs and the pseudo-item frames a summarized journal resolves, each compared."""
    rules = parse_mapping(mapping)
    _same_legs(items, attributes, rules, taxes)  # type: ignore[arg-type]
    calls: list[int] = []
    original = grouped.resolve
    grouped.resolve = _checked(calls)  # type: ignore[assignment]
    try:
        grouped.resolve_grouped(items, attributes, rules, taxes, min_items=0)  # type: ignore[arg-type]
    finally:
        grouped.resolve = original  # type: ignore[assignment]
    assert calls


def _case(case: Case, payroll: dict[str, Any]) -> None:
    start, end = case.period
    shares = {e["uuid"]: s for e in case.employees
              if (s := period_shares(case.history, e["uuid"], start, end, case.basis))}  # fmt: skip
    attributes, parts = attributes_for_period(employee_attributes(case.employees), shares)
    items = split_items_by_days(payroll_items(payroll), parts)
    _both_paths(payroll, items, attributes, case.mapping_yaml, case.taxes)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=payroll_cases(max_employees=8, options=True))
def test_generated_payrolls_transfers_and_reversals_resolve_alike(case: Case) -> None:
    """Splits, transfers inside the period, itemized taxes, refunds, deferrals, draws, company taxes."""
    _case(case, case.payroll)
    _case(case, negated(case.payroll, "reversal"))


def test_hand_examples_resolve_alike() -> None:
    for payroll, employees, mapping, taxes in hand_examples():
        for p in (payroll, negated(payroll, "reversal")):
            _both_paths(p, payroll_items(p), employee_attributes(employees), mapping, taxes)


def test_a_crew_with_jobs_splits_orphan_jobs_and_held_pay_resolves_alike() -> None:
    payroll, employees = test_grouped._crew(30)
    _both_paths(
        payroll, payroll_items(payroll), employee_attributes(employees), test_grouped.MAPPING, "consolidated"
    )


def _tests(module: Any) -> Iterator[Any]:
    for name in sorted(dir(module)):
        if (
            name.startswith("test_")
            and callable(test := getattr(module, name))
            and not hasattr(test, "pytestmark")
        ):
            yield pytest.param(module, test, id=f"{module.__name__.rsplit('.', 1)[-1]}.{name}")


@pytest.mark.parametrize(("module", "test"), [*_tests(test_resolution), *_tests(test_named_rules)])
def test_the_resolution_tests_cases_resolve_alike(module: Any, test: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each resolution test, with every ``resolve`` it makes compared between the two paths."""
    calls: list[int] = []
    monkeypatch.setattr(module, "resolve", _checked(calls))
    test()


def test_declined_inputs_fall_back_to_the_frames() -> None:
    """Inputs the rows do not take as given (repeated item numbers) are left to the frame resolution."""
    rules = parse_mapping(w.MAPPING_YAML)
    items = payroll_items(w.payroll())
    twice = pl.concat([items, items.head(1)])
    assert resolve_rows(twice, employee_attributes(w.employees()), rules) is None
    attributes = employee_attributes(w.employees())
    assert resolve(twice, attributes, rules).equals(_resolve_frames(twice, attributes, rules))


PATCHY = """
cost_center_field: cost_center
defaults:
  regular: {account: "6010"}
  overtime: {account: "6020", cost_center: "100"}
  bonus: {account: "6030"}
  employer_tax: {account: "6100"}
  employer_benefit: {account: "6200"}
  company_tax: {account: "6150"}
  reimbursement: {account: "6500", cost_center: "100", dimensions: {AIT4: "R"}}
credits:
  net_pay_direct_deposit: "1090"
  net_pay_check: "2010"
  taxes: "1090"
  benefits: "2300"
  deductions: "2400"
  reimbursement_clearing: "1090"
departments:
  Engineering: {cost_center: "200", dimensions: {AIT3: "ENG"}}
  Operations: {accounts: {regular: "6011"}}
jobs:
  "Job 2":
    - {min_rate: "29.00", max_rate: "31.00", accounts: {overtime: "6021"}}
    - {max_rate: "25.00", cost_center: "901"}
employees:
  00000001-0000-4000-8000-000000000001: {cost_center: "777", accounts: {bonus: "6777"}}
splits:
  - {employee: 00000002-0000-4000-8000-000000000001, cost_centers: {"501": 50, "502": 50}}
"""


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=payroll_cases(max_employees=8, options=True))
def test_a_patchy_mapping_and_a_partial_snapshot_hold_alike(case: Case) -> None:
    """Missing accounts and cost centres, employees absent from the snapshot, custom fields, rate bands,
    employee rules and dimensions: held and placed legs alike."""
    employees = [dict(e) for e in case.employees[: max(1, len(case.employees) - 1)]]
    for n, employee in enumerate(employees):
        if n % 3 == 1:
            employee["custom_fields"] = [{"name": "cost_center", "value": f"CF{n}"}]
    named = case.mapping_yaml[case.mapping_yaml.index("\ntaxes:") + 1 :]
    for payroll in (case.payroll, negated(case.payroll, "reversal")):
        _both_paths(payroll, payroll_items(payroll), employee_attributes(employees), PATCHY + named, case.taxes)


def _odd_items() -> pl.DataFrame:
    rows = [
        ("e-1", None, "earning", "unknown", "Hazard Pay", 1_000),
        ("e-1", None, "earning", "unknown", None, 500),
        ("e-1", "j-gone", "earning", "regular", "Regular Hours", 2_000),
        ("e-1", None, "net_pay", "unknown", "Crypto", 2_500),
        ("e-1", None, "net_pay", None, None, 10),
        ("e-1", None, "owners_draw", "owners_draw", "Owner's Draw", 700),
        ("e-1", None, "cash_tips", "cash_tips", "Cash Tips", 300),
        ("e-9", None, "earning", "regular", "Regular Hours", 4_000),
        ("e-9", None, "employer_tax", "FICA", "FICA", 300),
        (None, None, "employer_tax", "company_tax", "SUTA", 120),
        (None, None, "deferred_tax", "deferred_tax", "Deferred payroll taxes", -90),
        ("e-1", None, "employer_benefit", "Medical", " medical insurance ", 400),
    ]
    frame = pl.DataFrame(
        [(i, *r) for i, r in enumerate(rows)],
        schema=["item_no", "employee_uuid", "job_uuid", "category", "subtype", "name", "amount_cents"],
        orient="row",
    )
    return frame.with_columns(pl.col("item_no", "amount_cents").cast(pl.Int64), employer=pl.lit(False))


def test_odd_items_resolve_alike() -> None:
    """Unknown pay types and payment methods, missing names, jobs and employees, draws and deferrals
    without accounts, a company tax beside wages that mix signs."""
    employees = [
        {"uuid": "e-1", "department": "Engineering", "jobs": [{"uuid": "j-1", "title": "Job 2", "rate": "30.00"}]}
    ]
    attributes = employee_attributes(employees)
    for taxes in ("consolidated", "itemized"):
        for extra in (
            "",
            'taxes: {default: {expense: "7199"}}\nbenefits: {"Medical Insurance": {expense: "7300"}}\n',
        ):
            rules = parse_mapping(PATCHY + extra)
            _same_legs(_odd_items(), attributes, rules, taxes)  # type: ignore[arg-type]
            _same_legs(_odd_items().with_columns(-pl.col("amount_cents")), attributes, rules, taxes)  # type: ignore[arg-type]
            _same_legs(_odd_items().head(0), attributes, rules, taxes)  # type: ignore[arg-type]


def test_snapshots_without_primary_flags_or_with_unflagged_rows_resolve_alike() -> None:
    """An employee's rows without a primary flag (the first is primary), with some flags unknown, or among
    many employees the items do not name."""
    employees = [{"uuid": "e-1", "department": "Engineering",
                  "jobs": [{"uuid": "j-1", "title": "Job 2", "rate": "20.00"}, {"uuid": "j-gone", "title": "Job 2", "rate": "30.00"}]},
                 {"uuid": "e-9", "department": "Operations", "jobs": []}]  # fmt: skip
    attributes = employee_attributes(employees)
    unflagged = attributes.with_columns(
        primary_job=pl.when(pl.col("job_uuid") == "j-gone").then(None).otherwise(False)
    )
    twice = pl.concat([attributes, attributes])
    others = employee_attributes([{"uuid": f"x-{n}", "department": "Engineering", "jobs": []} for n in range(200)])
    many = pl.concat([others.head(100), unflagged, others.tail(100)])
    rules = parse_mapping(PATCHY)
    for snapshot in (
        many,
        attributes.drop("primary_job"),
        unflagged,
        twice,
        twice.drop("primary_job"),
        attributes.head(0),
    ):
        _same_legs(_odd_items(), snapshot, rules)
