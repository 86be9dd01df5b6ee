"""Contractor payments no event brought, found by the fallback poll on PostgreSQL: the company pays its
contractors with no webhook delivered and `/v1/events` left unread; the poll's listing of contractor payments
finds the day, a run posts it, a second poll asks for nothing, and a cancellation is found the same way."""

from __future__ import annotations

from collections import Counter
from datetime import date

import pytest

from connector_assets.defs import operations as ops
from connector_assets.defs.partitions import contractor_payment_key
from connector_assets.demo.environment import CONTRACTOR_CREDITS
from connector_assets.ledger.contractors import contractor_subject
from connector_assets.store.inbox import Inbox
from connector_assets.store.postings import POSTED, REVERSED
from connector_assets_tests.e2e.deployment import Deployment
from connector_assets_tests.e2e.ledger_view import document, net

CONNECTION = "contractor-poll"
PAY_DAY = date(2026, 3, 12)  # three days before the suite's pinned today: inside the 14-day window
AMOUNTS = {
    "Individual": {"hours": "8.00", "bonus": "0", "reimbursement": "19.99"},
    "Business": {"wage": "1500.00"},
}


def _polled_outcomes(deployment: Deployment) -> list[ops.RunOutcome]:
    """One poll that does not read `/v1/events` (as if it too had missed the events), then the runs it asks for."""
    return deployment.sync(CONNECTION, read_events=False)


@pytest.fixture(scope="module")
def polled(deployment: Deployment) -> list[ops.RunOutcome]:
    """An onboarded connection whose firm then paid its two contractors on PAY_DAY, found by one poll."""
    tenant = deployment.add_tenant(CONNECTION, "syteline", history_months=0)
    failed = [o for o in deployment.onboard(CONNECTION) if not o.success]
    assert not failed, [(o.partition_key, o.error) for o in failed]
    amounts = {c.uuid: AMOUNTS[c.type] for c in tenant.world.contractors}
    tenant.gusto.pay_contractors(check_date=PAY_DAY, amounts=amounts)
    return _polled_outcomes(deployment)


def _rows(deployment: Deployment) -> list:
    return deployment.postings.for_payroll(CONNECTION, contractor_subject(PAY_DAY))


def test_the_poll_finds_an_unannounced_day_and_a_run_posts_it(
    deployment: Deployment, polled: list[ops.RunOutcome]
) -> None:
    key = contractor_payment_key(CONNECTION, PAY_DAY)
    assert [(o.job_name, o.partition_key, o.success) for o in polled] == [("contractor_payment_job", key, True)]
    tenant = deployment.env.tenants[CONNECTION]
    (row,) = _rows(deployment)
    assert (row.kind, row.state) == ("journal", POSTED)
    posted = document(tenant, row.external_reference)
    assert posted is not None and sum(cents for *_, cents in posted) == 0
    rate = next(c.hourly_rate_cents for c in tenant.world.contractors if c.type == "Individual")
    by_account = net(posted)
    assert by_account[("6400", "CC200")] == 8 * rate and by_account[("6310", "CC200")] == 19_99
    assert by_account[("6400", "CC100")] == 1500_00
    assert -by_account[(CONTRACTOR_CREDITS["Check"], "")] == 1500_00
    polled_events = [e for e in Inbox(deployment.engine).after(0, 100_000) if e.connection_id == CONNECTION
                     and e.event_type == "contractor_payments.day_changed"]  # fmt: skip
    assert [e.source for e in polled_events] == ["poll"]


def test_a_second_poll_asks_for_nothing(deployment: Deployment, polled: list[ops.RunOutcome]) -> None:
    inbox = Inbox(deployment.engine)
    before = inbox.count()
    assert _polled_outcomes(deployment) == []
    assert inbox.count() == before, "the day's content equals what its run read: nothing enqueued"


def test_a_cancelled_payment_is_found_by_the_poll(deployment: Deployment, polled: list[ops.RunOutcome]) -> None:
    tenant = deployment.env.tenants[CONNECTION]
    business = next(c for c in tenant.world.contractors if c.type == "Business")
    payment = next(
        p for p in tenant.world.contractor_payments if p.contractor_uuid == business.uuid and p.date == PAY_DAY
    )
    tenant.gusto.cancel_contractor_payment(payment.uuid)
    outcomes = _polled_outcomes(deployment)
    assert [(o.job_name, o.success) for o in outcomes] == [("contractor_payment_job", True)]
    assert [(r.kind, r.state) for r in _rows(deployment)] == [
        ("journal", REVERSED),
        ("reversal", POSTED),
        ("journal", POSTED),
    ]
    total: Counter[tuple[str, str]] = Counter()
    for row in _rows(deployment):  # the day's three documents (the payroll history posts to 2010 too)
        total.update(net(document(tenant, row.external_reference) or []))
    left = {k: v for k, v in total.items() if v}
    rate = next(c.hourly_rate_cents for c in tenant.world.contractors if c.type == "Individual")
    assert left == {("6400", "CC200"): 8 * rate, ("6310", "CC200"): 19_99,
                    (CONTRACTOR_CREDITS["Direct Deposit"], ""): -(8 * rate + 19_99)}  # fmt: skip
    assert _polled_outcomes(deployment) == [], "the cancelled day, once read again, is not polled again"
