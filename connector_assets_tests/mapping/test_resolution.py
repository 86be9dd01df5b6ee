"""Vectorized resolution: precedence, bands, custom field, splits, fully loaded cost, held lines."""

from __future__ import annotations

import polars as pl

from connector_assets.mapping import employee_attributes, parse_mapping, resolve
from connector_assets_tests.mapping.test_rules import BASE

E, J1, J2 = "e-1", "j-1", "j-2"


def _items(*rows: tuple[str, str | None, str, str, str, int]) -> pl.DataFrame:
    """Items frame from (employee, job, category, subtype, name, cents)."""
    frame = pl.DataFrame(
        [(i, *r, r[2] == "employer_tax") for i, r in enumerate(rows)],
        schema=["item_no", "employee_uuid", "job_uuid", "category", "subtype", "name", "amount_cents", "employer"],
        orient="row",
    )
    return frame.with_columns(pl.col("item_no", "amount_cents").cast(pl.Int64))


def _employee(rate: str = "30.00", custom: str | None = None) -> list[dict[str, object]]:
    fields = [{"name": "cost_center", "value": custom}] if custom else []
    return [{"uuid": E, "department": "Engineering", "department_uuid": "d-eng", "custom_fields": fields,
             "work_addresses": [{"location_uuid": "loc-1", "active": True}],
             "jobs": [{"uuid": J1, "title": "Tech", "primary": True, "rate": rate},
                      {"uuid": J2, "title": "Foreman", "primary": False, "rate": "60.00"}]}]  # fmt: skip


def _debit(mapping: str, items: pl.DataFrame, employees: list[dict[str, object]] | None = None) -> pl.DataFrame:
    resolved = resolve(items, employee_attributes(employees or _employee()), parse_mapping(mapping))
    return resolved.filter(pl.col("side") == "debit")


REGULAR = _items((E, J1, "earning", "regular", "Regular Hours", 10_000))
LAYERS = (
    BASE
    + """
employees:
  e-1: {accounts: {bonus: "6999"}}
jobs:
  Tech:
    - {max_rate: "40.00", cost_center: "310"}
    - {min_rate: "40.00", cost_center: "320"}
departments:
  Engineering: {cost_center: "200", accounts: {regular: "6011"}}
locations:
  loc-1: {cost_center: "500", accounts: {regular: "6012"}}
"""
)


def test_job_band_beats_department_for_cost_center_and_department_beats_location_for_account() -> None:
    """Account and cost centre resolve separately, each by the most specific rule that sets it."""
    row = _debit(LAYERS, REGULAR).row(0, named=True)
    assert (row["account"], row["cost_center"]) == ("6011", "310")
    assert row["rule"] == "account: departments.Engineering; cost center: jobs.Tech[0]"


def test_rate_band_picks_the_matching_job_rule() -> None:
    """A job rate of 45.00 falls in the [40, ∞) band."""
    assert _debit(LAYERS, REGULAR, _employee(rate="45.00"))["cost_center"].to_list() == ["320"]


def test_earning_line_follows_the_job_it_carries() -> None:
    """Hours on the secondary job resolve by that job, not the primary one."""
    mapping = LAYERS.replace("departments:", "  Foreman: {cost_center: '330'}\ndepartments:")
    items = _items((E, J2, "earning", "regular", "Regular Hours", 10_000))
    assert _debit(mapping, items)["cost_center"].to_list() == ["330"]


def test_employee_override_beats_every_other_rule() -> None:
    """The employee's own account for bonus wins over the default."""
    items = _items((E, J1, "earning", "bonus", "Bonus", 5_000))
    mapping = LAYERS.replace("defaults:", 'defaults:\n  bonus: {account: "6020", cost_center: "100"}')
    assert _debit(mapping, items)["account"].to_list() == ["6999"]


def test_custom_field_beats_department_but_not_job() -> None:
    """The Gusto custom field sets the cost centre over department rules only."""
    mapping = "cost_center_field: cost_center\n" + BASE + "departments:\n  Engineering: {cost_center: '200'}\n"
    assert _debit(mapping, REGULAR, _employee(custom="777"))["cost_center"].to_list() == ["777"]
    with_job = mapping + "jobs:\n  Tech: {cost_center: '310'}\n"
    assert _debit(with_job, REGULAR, _employee(custom="777"))["cost_center"].to_list() == ["310"]


def test_dimensions_come_from_the_most_specific_rule_that_names_some() -> None:
    """A job rule's dimensions win over the department's; a more specific rule without any does not blank them."""
    mapping = (
        BASE
        + "employees:\n  e-1: {accounts: {bonus: '6999'}}\n"
        + "jobs:\n  Tech: {cost_center: '310', dimensions: {AIT3: 'J', AIT4: 'K'}}\n"
        + "departments:\n  Engineering: {cost_center: '200', dimensions: {AIT3: 'D'}}\n"
    )
    assert _debit(mapping, REGULAR)["dimensions"].to_list() == ["AIT3=J;AIT4=K"]
    on_department = mapping.replace("dimensions: {AIT3: 'J', AIT4: 'K'}", "accounts: {regular: '6013'}")
    assert _debit(on_department, REGULAR)["dimensions"].to_list() == ["AIT3=D"]


def test_line_without_any_rule_is_held_with_the_fix() -> None:
    """An overtime line with no overtime default is unmapped, never posted to a catch-all."""
    items = _items((E, J1, "earning", "overtime", "Overtime", 1_000))
    row = _debit(BASE, items).row(0, named=True)
    assert row["account"] is None
    assert row["unmapped_reason"].startswith(
        "no account rule for 'overtime' (department 'Engineering', job 'Tech')"
    )
    assert "add defaults.overtime.account" in row["unmapped_reason"]


def test_missing_cost_center_is_held() -> None:
    """An account without any cost centre rule is held too."""
    mapping = BASE.replace('{account: "6010", cost_center: "100"}', '{account: "6010"}')
    reason = _debit(mapping, REGULAR)["unmapped_reason"][0]
    assert reason.startswith("no cost center rule for 'regular'")


def test_earning_names_reclassify_unknown_compensations() -> None:
    """A company-specific earning name maps to an earning type declared in the file."""
    items = _items((E, J1, "earning", "unknown", "Shift Premium", 1_000))
    mapping = 'earning_names: {"Shift Premium": regular}\n' + BASE
    row = _debit(mapping, items).row(0, named=True)
    assert (row["subtype"], row["account"], row["unmapped_reason"]) == ("regular", "6010", None)


def test_split_allocates_by_largest_remainder_and_employer_tax_follows_wages() -> None:
    """100.00 over 33.33/33.33/33.34 and the employer tax in the same proportion, both exact."""
    mapping = BASE.replace("credits:", '  employer_tax: {account: "6100"}\ncredits:')
    mapping += "splits:\n  - {employee: e-1, cost_centers: {'301': 33.33, '302': 33.33, '303': 33.34}}\n"
    items = _items(
        (E, J1, "earning", "regular", "Regular Hours", 10_000), (E, None, "employer_tax", "FICA", "FICA", 765)
    )
    debit = _debit(mapping, items).sort("item_no", "cost_center")
    assert debit.filter(pl.col("item_no") == 0)["amount_cents"].to_list() == [3333, 3333, 3334]
    employer = debit.filter(pl.col("item_no") == 1)
    assert employer["amount_cents"].to_list() == [255, 255, 255]
    assert employer["rule"][0] == "account: defaults.employer_tax; cost center: follows wages"


def test_credit_legs_use_by_name_accounts_and_hold_missing_ones() -> None:
    """Child support goes to its named account; historical net pay without an account is held."""
    mapping = BASE.replace("credits:\n", 'credits:\n  deductions_by_name: {"child support": "1095"}\n')
    items = _items((E, None, "deduction", "Child Support", "Child Support", 200),
                   (E, None, "net_pay", "historical", "Historical", 500),
                   (E, None, "net_pay", "unknown", "Wire", 700))  # fmt: skip
    credit = resolve(items, employee_attributes(_employee()), parse_mapping(mapping)).filter(
        pl.col("side") == "credit"
    )
    assert credit["account"].to_list() == ["1095", None, None]
    assert credit["unmapped_reason"][1] == (
        "no credit account for 'net_pay_historical'; add credits.net_pay_historical to mapping.yaml"
    )
    assert credit["unmapped_reason"][2].startswith("net pay with unknown payment method 'Wire'")
    assert credit["cost_center"].null_count() == 3
