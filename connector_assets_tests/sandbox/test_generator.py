"""The deterministic world generator: same seed, same world; the reference scenario's features are present."""

from __future__ import annotations

import dataclasses
import itertools
from datetime import date, timedelta

from connector_assets.sandbox.generator import generate_world, pay_periods
from connector_assets.sandbox.generator_models import World
from connector_assets.sandbox.generator_payroll import company_taxes, payroll_pay, payroll_totals

TODAY = date(2025, 6, 30)


def _fingerprint(world: World) -> tuple[object, ...]:
    return (
        dataclasses.asdict(world.company),
        [dataclasses.asdict(e) for e in world.employees],
        [(p.uuid, p.check_date, p.employee_uuids) for p in world.payrolls],
        [dataclasses.asdict(a) for a in world.gl_accounts],
        world.app.client_id,
        world.app.client_secret,
    )


def test_same_seed_same_world_other_seed_other_world() -> None:
    """Two generations with one seed are identical (incl. credentials); another seed differs."""
    a, b = generate_world(seed=11, today=TODAY), generate_world(seed=11, today=TODAY)
    assert _fingerprint(a) == _fingerprint(b)
    c = generate_world(seed=12, today=TODAY)
    assert c.company.uuid != a.company.uuid and c.app.client_secret != a.app.client_secret


def test_payroll_rows_do_not_depend_on_computation_order() -> None:
    """Rows are keyed by (seed, payroll, employee): computing payrolls in any order gives the same pay."""
    forward, backward = generate_world(seed=5, today=TODAY), generate_world(seed=5, today=TODAY)
    for p in forward.payrolls:
        payroll_pay(forward, p)
    for p in reversed(backward.payrolls):
        payroll_pay(backward, p)
    assert [payroll_totals(p.pay or []) for p in forward.payrolls] == [
        payroll_totals(p.pay or []) for p in backward.payrolls
    ]


def test_reference_scenario_features() -> None:
    """Three offices, five cost-centred departments, both schedules, mixed pay, two jobs, terminations."""
    world = generate_world(seed=7, employees=40, today=TODAY)
    assert len(world.locations) == 3 and len({loc.state for loc in world.locations}) == 3
    assert {d.title: d.cost_center for d in world.departments} == {
        "Engineering": "CC200",
        "Consulting": "CC300",
        "Sales": "CC400",
        "Finance & Admin": "CC500",
        "Operations": "CC600",
    }
    assert {s.frequency for s in world.pay_schedules} == {"Twice per month", "Every other week"}
    hourly = [e for e in world.employees if e.is_hourly]
    assert hourly and len(hourly) < len(world.employees)
    assert all(e.pay_schedule_uuid == world.pay_schedules[1].uuid for e in hourly)
    assert any(len(e.jobs) == 2 for e in world.employees)
    assert any(e.is_terminated(TODAY) for e in world.employees)
    assert any("cost_center" in e.custom_fields for e in world.employees)
    assert any(e.payment_method == "Check" for e in world.employees)
    assert any(len(j.compensations) > 1 for e in world.employees for j in e.jobs)  # raises on record


def test_payroll_history_spans_more_than_six_months() -> None:
    """Processed regular payrolls reach back past six months, with a bonus run and upcoming drafts."""
    world = generate_world(seed=7, employees=20, today=TODAY)
    regular = [p for p in world.payrolls if not p.off_cycle and p.processed]
    assert min(p.check_date for p in regular) < TODAY - timedelta(days=190)
    assert max(p.check_date for p in regular) <= TODAY
    bonus = [p for p in world.payrolls if p.off_cycle and p.off_cycle_reason == "Bonus"]
    assert len(bonus) == 1 and bonus[0].processed
    assert sum(not p.processed for p in world.payrolls) == 2  # one upcoming draft per schedule
    terminated = next(e for e in world.employees if e.terminations)
    end = terminated.terminations[0].effective_date
    later = [p for p in regular if p.start_date > end and p.pay_schedule_uuid == terminated.pay_schedule_uuid]
    assert all(terminated.uuid not in p.employee_uuids for p in later)


def test_cloudsuite_master_data_matches_departments() -> None:
    """About forty accounts of each needed role; one cost centre per department unless left out."""
    world = generate_world(seed=7, employees=10, today=TODAY, missing_cost_centers=["CC400"])
    roles = {a.role.split(":")[0] for a in world.gl_accounts}
    assert {"wages", "employer_tax", "benefit", "reimbursement", "clearing", "liability"} <= roles
    assert 38 <= len(world.gl_accounts) <= 45
    codes = {c.code for c in world.cost_centers}
    assert "CC400" not in codes and {"CC200", "CC300", "CC500", "CC600"} <= codes
    big = generate_world(seed=7, employees=10, today=TODAY, gl_account_count=500)
    assert len(big.gl_accounts) == 500 and len({a.account for a in big.gl_accounts}) == 500


def test_credentials_are_derived_from_seed_and_hidden_in_repr() -> None:
    """client_id/secret come from the seed; the secret never shows in reprs."""
    world = generate_world(seed=3, today=TODAY)
    assert world.client_id.startswith("sandbox-") and len(world.client_secret) == 64
    assert world.client_secret not in repr(world) + repr(world.app)


def test_semimonthly_periods_cover_the_month() -> None:
    """Semimonthly periods are 1st-15th and 16th-end, paid the 20th and the 5th of the next month."""
    world = generate_world(seed=1, employees=10, today=TODAY)
    periods = pay_periods(world.pay_schedules[0], date(2025, 2, 1), date(2025, 3, 31))
    assert (date(2025, 2, 1), date(2025, 2, 15), date(2025, 2, 20)) in periods
    assert (date(2025, 2, 16), date(2025, 2, 28), date(2025, 3, 5)) in periods
    biweekly = pay_periods(world.pay_schedules[1], date(2025, 1, 1), date(2025, 6, 30))
    assert all((b[0] - a[0]).days == 14 for a, b in itertools.pairwise(biweekly))


def test_history_has_the_shapes_a_journal_must_read_right() -> None:
    """Hours-only PTO paid inside gross, company taxes, check-paid reimbursements, a processed reversal pair."""
    world = generate_world(seed=7, employees=40, today=TODAY, history_months=3)
    processed = [p for p in world.payrolls if p.processed]
    rows = [(p, r) for p in processed if not p.reversal_of for r in payroll_pay(world, p)]
    with_pto = [r for _, r in rows if r.pto and r.pto_cents > 0]
    assert with_pto and all(
        r.gross_cents == sum(e.amount_cents for e in r.earnings) + r.pto_cents for _, r in rows
    )
    assert any(company_taxes(world, p) for p in processed)
    on_checks = [(p, r) for p, r in rows if r.payment_method == "Check" and r.reimbursements]
    assert on_checks
    payroll = on_checks[0][0]
    totals = payroll_totals(payroll_pay(world, payroll), company_taxes(world, payroll))
    reimbursed = sum(
        a for r in payroll_pay(world, payroll) if r.payment_method != "Check" for _, a in r.reimbursements
    )
    assert totals["reimbursement_debit"] == reimbursed < totals["reimbursements"]
    assert totals["company_debit"] == sum(
        totals[k] for k in ("net_pay_debit", "tax_debit", "reimbursement_debit", "child_support_debit")
    )
    (reversal,) = [p for p in processed if p.reversal_of]
    original = world.payroll(reversal.reversal_of or "")
    assert original is not None and original.processed and original.reversal_payroll_uuids == [reversal.uuid]
    assert payroll_totals(payroll_pay(world, reversal), company_taxes(world, reversal)) == {
        k: -v for k, v in payroll_totals(payroll_pay(world, original), company_taxes(world, original)).items()
    }
