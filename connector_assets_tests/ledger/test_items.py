"""payroll_items: exact money parsing and the category of every Gusto line."""

from __future__ import annotations

import json
import re

import pytest

from connector_assets.ledger import MoneyError, PayrollShapeError, payroll_items, to_cents
from connector_assets_tests.ledger import worked_example as w
from connector_assets_tests.ledger.builders import compensation


@pytest.mark.parametrize(
    ("value", "cents"), [("1234.50", 123450), (191.25, 19125), (0.1, 10), (None, 0), (-5, -500)]
)
def test_amounts_parse_exactly_to_cents(value: object, cents: int) -> None:
    """Strings and JSON numbers become exact integer cents."""
    assert to_cents(value, "test") == cents


def test_fraction_of_a_cent_is_rejected_with_the_record() -> None:
    """An amount with sub-cent digits names where it came from."""
    with pytest.raises(MoneyError, match=re.escape("payroll p employee e1 earning 'Bonus': amount '1.005'")):
        payroll_items({"uuid": "p", "employee_compensations": [
            compensation("e1", "0", fixed_compensations=[{"name": "Bonus", "amount": "1.005"}])]})  # fmt: skip


def test_worked_example_items_by_category() -> None:
    """Every money line of §3 becomes one item with its category; totals per category match."""
    items = payroll_items(w.payroll())
    sums = {
        cat: int(items.filter(items["category"] == cat)["amount_cents"].sum()) for cat in set(items["category"])
    }
    assert sums == {"earning": 1_000_000, "employee_tax": 180_000, "employer_tax": 76_500, "employee_benefit": 60_000,
                    "employer_benefit": 40_000, "deduction": 20_000, "reimbursement": 15_000,
                    "net_pay": 740_000}  # fmt: skip
    assert set(items.filter(items["category"] == "net_pay")["subtype"]) == {"direct_deposit", "check"}


def test_excluded_employees_and_zero_lines_are_skipped() -> None:
    """Excluded employees are not paid; zero amounts carry nothing."""
    comp = compensation("e1", "0.00", fixed_compensations=[{"name": "Bonus", "amount": "0.00"}])
    excluded = compensation("e2", "10.00", excluded=True)
    assert payroll_items({"uuid": "p", "employee_compensations": [comp, excluded]}).is_empty()


def test_unprocessed_payroll_without_net_pay_is_refused() -> None:
    """Only processed payrolls can be journalized."""
    comp = {"employee_uuid": "e1", "fixed_compensations": [{"name": "Bonus", "amount": "1.00"}]}
    with pytest.raises(PayrollShapeError, match="no net_pay; only processed payrolls"):
        payroll_items({"uuid": "p", "employee_compensations": [comp]})


def test_a_lone_surrogate_from_json_is_a_shape_error_naming_the_payroll() -> None:
    """JSON can escape half of a UTF-16 pair; such text cannot reach the items frame, and the payroll is named."""
    comp = {"employee_uuid": json.loads('"\\ud800"'), "net_pay": "100.00"}
    with pytest.raises(PayrollShapeError, match="payroll p1: a text field is not valid Unicode"):
        payroll_items({"uuid": "p1", "employee_compensations": [comp]})
