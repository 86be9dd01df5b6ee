"""Hostile Gusto JSON gets a typed error naming the record (GustoParseError, PayrollShapeError, MoneyError)."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from connector_assets.gusto import models
from connector_assets.gusto.parsing import GustoParseError
from connector_assets.gusto.payroll import Payroll
from connector_assets.ledger.items import PayrollShapeError, payroll_items
from connector_assets.ledger.money import MoneyError
from connector_assets_tests.fuzz.strategies import JSON, SCALARS

FAST = settings(max_examples=250, deadline=None)
RECORDS = [
    models.TokenInfo, models.Location, models.Company, models.Department, models.Compensation, models.Job,
    models.Termination, models.Rehire, models.CustomField, models.Employee, models.PaySchedule, models.Event,
    models.WebhookSubscription, Payroll,
]  # fmt: skip
FIELDS = ["uuid", "payroll_uuid", "employee_uuid", "jobs", "compensations", "terminations", "custom_fields", "rate",
          "totals", "pay_period", "check_date", "calculated_at", "reversal_payroll_uuids", "resource", "references",
          "timestamp", "subscription_types", "employees", "locations", "hire_date", "employee_compensations"]  # fmt: skip
NESTED = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.sampled_from(FIELDS), inner, max_size=5),
    max_leaves=14,
)
LINE_KEYS = ["name", "amount", "job_uuid", "employer", "employee_deduction", "company_contribution", "description"]
LINE = (
    st.fixed_dictionaries({}, optional={k: SCALARS | st.lists(SCALARS, max_size=2) for k in LINE_KEYS}) | SCALARS
)
LISTS = ["hourly_compensations", "fixed_compensations", "paid_time_off", "reimbursements", "taxes", "benefits",
         "deductions"]  # fmt: skip
COMPENSATION = st.fixed_dictionaries(
    {"employee_uuid": st.just("e1") | SCALARS, "net_pay": st.just("100.00") | SCALARS},
    optional={**{k: st.lists(LINE, max_size=3) | SCALARS for k in LISTS}, "excluded": SCALARS,
              "payment_method": SCALARS},
)  # fmt: skip
PAYROLL = st.fixed_dictionaries(
    {"uuid": st.just("p1") | SCALARS},
    optional={"employee_compensations": st.lists(COMPENSATION | SCALARS, max_size=3) | SCALARS,
              "totals": st.dictionaries(st.text(max_size=6), SCALARS, max_size=3) | SCALARS, "pay_period": JSON,
              "reversal_payroll_uuids": JSON, "calculated_at": SCALARS, "check_date": SCALARS},
)  # fmt: skip
TYPED = (GustoParseError, PayrollShapeError, MoneyError)


@FAST
@given(record=st.sampled_from(RECORDS), document=NESTED | JSON)
def test_any_json_as_a_gusto_record_parses_or_fails_typed(record: Any, document: Any) -> None:
    """Every `from_api` reads any JSON value or raises GustoParseError; no KeyError/TypeError/AttributeError."""
    try:
        record.from_api(document)
    except GustoParseError as exc:
        assert str(exc).strip()


@FAST
@given(document=PAYROLL | JSON)
def test_any_payroll_shape_gives_items_or_a_typed_error(document: Any) -> None:
    """A payroll of any shape flattens to integer-cent items or raises an error naming the payroll and field."""
    try:
        frame = payroll_items(document)
    except TYPED as exc:
        assert str(exc).strip()
    else:
        assert frame["amount_cents"].dtype.is_integer()
    try:
        Payroll.from_api(document)
    except GustoParseError as exc:
        assert str(exc).strip()


def test_escapes_found_by_fuzzing_now_name_the_record() -> None:
    """Non-object payloads, a non-numeric event timestamp and a huge amount raise typed errors with the record."""
    cases: list[tuple[Any, Any, str]] = [
        (models.Employee.from_api, None, "employee"),
        (models.Event.from_api, {"uuid": "ev1", "timestamp": "yesterday"}, "event ev1"),
        (Payroll.from_api, ["not", "a", "payroll"], "payroll"),
        (payroll_items, {"uuid": "p1", "employee_compensations": [{"employee_uuid": "e1", "taxes": 3}]}, "p1"),
        (payroll_items, {"uuid": "p1", "employee_compensations": [{"employee_uuid": "e1", "net_pay": "1e999999999"}]},
         "p1"),
    ]  # fmt: skip
    for parse, document, named in cases:
        try:
            parse(document)
        except TYPED as exc:
            assert named in str(exc)
        else:
            raise AssertionError(f"{document!r} was accepted")
