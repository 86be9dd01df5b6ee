"""check_mapping: accounts and cost centres against CloudSuite master data; Gusto org coverage."""

from __future__ import annotations

import datetime as dt

import polars as pl

from connector_assets.mapping import check_mapping, parse_mapping
from connector_assets_tests.mapping.test_rules import BASE

ON = dt.date(2025, 6, 30)
MAPPING = parse_mapping(
    BASE.replace("credits:", '  bonus: {account: "6020", cost_center: "100"}\ncredits:')
    + "departments:\n  Engineering: {cost_center: '200'}\n"
    + "jobs:\n  Tech: {cost_center: '310'}\n"
)


def _accounts(**overrides: tuple[bool, dt.date | None, dt.date | None]) -> pl.DataFrame:
    rows = {code: (False, None, None) for code in ("6010", "6020", "1090", "2010", "2300", "2400")} | overrides
    return pl.DataFrame(
        [(code, f"Account {code}", *state) for code, state in rows.items()],
        schema={"account": pl.String, "name": pl.String, "blocked": pl.Boolean, "valid_from": pl.Date,
                "valid_to": pl.Date},
        orient="row",
    )  # fmt: skip


def _cost_centers(codes: tuple[str, ...] = ("100", "200", "310")) -> pl.DataFrame:
    return pl.DataFrame(
        {"cost_center": list(codes), "name": list(codes), "blocked": [False] * len(codes),
         "valid_from": [None] * len(codes), "valid_to": [None] * len(codes)},
        schema_overrides={"valid_from": pl.Date, "valid_to": pl.Date},
    )  # fmt: skip


def test_clean_mapping_has_no_problems() -> None:
    """Every code exists, is open and valid; every department and job has a rule."""
    departments = pl.DataFrame({"department_uuid": ["d1"], "department": ["Engineering"]})
    jobs = pl.DataFrame({"job_uuid": ["j1"], "job_title": ["Tech"]})
    assert check_mapping(MAPPING, _accounts(), _cost_centers(), departments, jobs, ON) == []


def test_missing_blocked_and_expired_accounts_are_errors_with_fixes() -> None:
    """Each account problem names the rule, the code and what to do."""
    accounts = _accounts(**{"6020": (True, None, None), "2300": (False, None, dt.date(2025, 6, 1))}).filter(
        pl.col("account") != "2400"
    )
    problems = {(p.rule, p.value): p for p in check_mapping(MAPPING, accounts, _cost_centers(), None, None, ON)}
    assert problems[("defaults.bonus.account", "6020")].problem == "account is blocked in CloudSuite"
    assert problems[("credits.deductions", "2400")].fix == "create account 2400 in CloudSuite or change the rule"
    expired = problems[("credits.benefits", "2300")]
    assert expired.problem == "account is not valid on 2025-06-30 (valid ... to 2025-06-01)"
    assert {p.severity for p in problems.values()} == {"error"}


def test_unknown_cost_center_is_an_error() -> None:
    """A cost centre CloudSuite does not have is reported against its rule."""
    problems = check_mapping(MAPPING, _accounts(), _cost_centers(("100", "200")), None, None, ON)
    assert [(p.rule, p.value, p.problem) for p in problems] == [
        ("jobs.Tech.cost_center", "310", "cost center does not exist in CloudSuite")
    ]


def test_departments_and_jobs_without_rules_are_warnings() -> None:
    """Gusto org units that silently fall to defaults are surfaced for the accountant."""
    departments = pl.DataFrame({"department_uuid": ["d1", "d2"], "department": ["Engineering", "Sales"]})
    jobs = pl.DataFrame({"job_uuid": ["j1", "j2"], "job_title": ["Tech", "Driver"]})
    problems = check_mapping(MAPPING, _accounts(), _cost_centers(), departments, jobs, ON)
    assert [(p.rule, p.value, p.severity) for p in problems] == [
        ("departments", "Sales", "warning"),
        ("jobs", "Driver", "warning"),
    ]
    assert problems[0].describe().startswith("departments = 'Sales': Gusto department has no rule")
