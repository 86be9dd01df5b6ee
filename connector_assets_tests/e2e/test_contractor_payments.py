"""A contractor payment run through the sandbox on PostgreSQL (M3, SyteLine and FSM): Gusto's contractor payment
webhooks reach the inbox, the sensor runs that date's partition, CloudSuite gets one balanced document that
ties out to Gusto; a replay posts nothing new, and a cancelled payment is reversed and re-posted without it."""

from __future__ import annotations

import json
from collections import Counter
from datetime import date

import pytest
from typer.testing import CliRunner

from connector_assets.cli import app
from connector_assets.defs import operations as ops
from connector_assets.defs.partitions import contractor_payment_key
from connector_assets.demo.environment import CONTRACTOR_CREDITS
from connector_assets.ledger.contractors import contractor_subject
from connector_assets.ledger.money import format_cents
from connector_assets.sandbox.gusto.events import Event
from connector_assets.store.inbox import Inbox
from connector_assets.store.postings import POSTED, REVERSED
from connector_assets_tests.e2e.conftest import ERPS
from connector_assets_tests.e2e.deployment import Deployment
from connector_assets_tests.e2e.ledger_view import asset_value, document, documents, journal_rows, net

PAY_DAY = date(2026, 3, 13)
AMOUNTS = {  # the individual: 12.25 h at the generated rate, a bonus and a reimbursement; the business: a fee
    "Individual": {"hours": "12.25", "bonus": "250.00", "reimbursement": "42.50"},
    "Business": {"wage": "2000.00"},
}


def _deliver(deployment: Deployment, connection_id: str, events: list[Event]) -> list[ops.RunOutcome]:
    """The events as the receiver stores them, then one inbox sensor evaluation and the runs it asks for."""
    inbox = Inbox(deployment.engine)
    for event in events:
        inbox.add(
            connection_id=connection_id, event_uuid=event.uuid, event_type=event.event_type,
            entity_type=event.entity_type, entity_uuid=event.entity_uuid, body=json.dumps(event.to_json()),
            source="webhook",
        )  # fmt: skip
    deployment.activate()
    outcomes, deployment.cursor = ops.process_inbox(deployment.instance, deployment.cursor)
    return outcomes


@pytest.fixture(scope="module", params=[*ERPS, "fsm"])
def paid(request: pytest.FixtureRequest, deployment: Deployment) -> tuple[str, list[ops.RunOutcome]]:
    """A connection (per ERP; FSM interfaces through its journal staging and edit/update runs) whose firm has
    just paid its two contractors on PAY_DAY."""
    connection_id = f"contractors-{request.param}"
    tenant = deployment.add_tenant(connection_id, request.param, history_months=0)
    deployment.run_ok("master_data_job", connection_id)
    sim = tenant.gusto
    amounts = {c.uuid: AMOUNTS[c.type] for c in tenant.world.contractors}
    sim.pay_contractors(check_date=PAY_DAY, amounts=amounts)
    events = [e for e in sim.events.events if e.event_type == "contractor_payment.created"]
    return connection_id, _deliver(deployment, connection_id, events)


def _audit(deployment: Deployment, connection_id: str) -> list:
    """The day's audit trail on this connection (other connections post the same date too)."""
    history = deployment.audit.history("contractor_payments", contractor_subject(PAY_DAY))
    return [e for e in history if e.connection_id == connection_id]


def _day_rows(deployment: Deployment, connection_id: str) -> list:
    return deployment.postings.for_payroll(connection_id, contractor_subject(PAY_DAY))


def test_a_contractor_payment_run_posts_one_balanced_document(
    deployment: Deployment, paid: tuple[str, list[ops.RunOutcome]]
) -> None:
    connection_id, outcomes = paid
    key = contractor_payment_key(connection_id, PAY_DAY)
    assert [(o.job_name, o.partition_key, o.success) for o in outcomes] == [("contractor_payment_job", key, True)]
    tenant = deployment.env.tenants[connection_id]
    (row,) = _day_rows(deployment, connection_id)
    assert row.state == POSTED and row.kind == "journal"
    assert len(documents(tenant)) == 1, "only the contractor payments were posted"
    posted = document(tenant, row.external_reference)
    assert posted is not None
    prepared = asset_value(["ledger", "contractor_journal"], key, deployment.instance)
    assert Counter(posted) == Counter(journal_rows(prepared.journal.lines))
    assert sum(cents for *_, cents in posted) == 0
    if tenant.erp == "fsm":  # the released journal's id (FEG/journal), read back from FSM
        assert row.document_id and row.document_id.startswith("1000/"), row.document_id
    batch = asset_value(["gusto", "contractor_payments"], key, deployment.instance)
    rate = next(c.hourly_rate_cents for c in tenant.world.contractors if c.type == "Individual")
    hourly = (1225 * rate + 50) // 100  # 12.25 h at the rate, rounded half up to the cent
    by_account = net(posted)
    assert -by_account[(CONTRACTOR_CREDITS["Direct Deposit"], "")] == hourly + 250_00 + 42_50
    assert -by_account[(CONTRACTOR_CREDITS["Check"], "")] == 2000_00
    assert by_account[("6400", "CC200")] == hourly + 250_00 and by_account[("6400", "CC100")] == 2000_00
    assert by_account[("6310", "CC200")] == 42_50
    assert batch["total"]["wages"] == format_cents(hourly + 250_00 + 2000_00)  # Gusto's own figure
    actions = [e.action for e in _audit(deployment, connection_id)]
    # M3 creates its vouchers in the background: the run submits, the confirmation step finds the document.
    assert actions[:3] == ["read", "mapped", "posted"] or actions[:4] == [
        "read",
        "mapped",
        "submitted",
        "confirmed",
    ], actions


def test_a_replay_posts_nothing_new(deployment: Deployment, paid: tuple[str, list[ops.RunOutcome]]) -> None:
    connection_id, _ = paid
    tenant = deployment.env.tenants[connection_id]
    before = documents(tenant)
    outcome = deployment.run_ok(
        "contractor_payment_job", contractor_payment_key(connection_id, PAY_DAY), {"connector/replay": "true"}
    )
    assert documents(tenant) == before
    actions = [e.action for e in _audit(deployment, connection_id) if e.run_id == outcome.run_id]
    assert "unchanged" in actions and "posted" not in actions, actions
    assert [r.state for r in _day_rows(deployment, connection_id)] == [POSTED]
    # The operator's command does the same.
    deployment.activate()
    result = CliRunner().invoke(
        app, ["replay", "contractor-payments", PAY_DAY.isoformat(), "--connection", connection_id]
    )
    assert result.exit_code == 0, result.output
    assert documents(tenant) == before
    assert [r.state for r in _day_rows(deployment, connection_id)] == [POSTED]
    unchanged = [e for e in _audit(deployment, connection_id) if e.action == "unchanged"]
    assert len(unchanged) == 2, "the run and the command each found the day already posted"


def test_a_cancelled_payment_is_reversed_and_the_day_reposted(
    deployment: Deployment, paid: tuple[str, list[ops.RunOutcome]]
) -> None:
    connection_id, _ = paid
    tenant = deployment.env.tenants[connection_id]
    business = next(c for c in tenant.world.contractors if c.type == "Business")
    payment = next(p for p in tenant.world.contractor_payments if p.contractor_uuid == business.uuid)
    tenant.gusto.cancel_contractor_payment(payment.uuid)
    events = [e for e in tenant.gusto.events.events if e.event_type == "contractor_payment.cancelled"]
    outcomes = _deliver(deployment, connection_id, events)
    assert [o.success for o in outcomes] == [True]
    rows = _day_rows(deployment, connection_id)
    assert [(r.kind, r.state) for r in rows] == [("journal", REVERSED), ("reversal", POSTED), ("journal", POSTED)]
    total = Counter()
    for lines in documents(tenant).values():
        total.update(net(lines))
    total = Counter({k: v for k, v in total.items() if v})
    assert (CONTRACTOR_CREDITS["Check"], "") not in total and ("6400", "CC100") not in total
    assert sum(total.values()) == 0
    # What stays is the individual's payment alone, by hand: the reversal took back the whole first document.
    rate = next(c.hourly_rate_cents for c in tenant.world.contractors if c.type == "Individual")
    hourly = (1225 * rate + 50) // 100
    assert total == Counter({("6400", "CC200"): hourly + 250_00, ("6310", "CC200"): 42_50,
                             (CONTRACTOR_CREDITS["Direct Deposit"], ""): -(hourly + 250_00 + 42_50)})  # fmt: skip
    assert len(documents(tenant)) == 3, "the first day's document, its reversal and the re-posted day"
