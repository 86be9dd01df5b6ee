"""The real-time path on PostgreSQL: sandbox webhook → receiver → inbox → sensor tick → run → ION voucher.

Dagster's storage and the connector's store are both PostgreSQL databases. Sensor ticks are driven with
`operations.process_inbox`, which evaluates the real sensor and executes its run requests in-process.
"""

from __future__ import annotations

import json
import os
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import dagster as dg
import httpx
import pytest
from sqlalchemy import Engine

from connector_assets.cloudsuite.m3_gl import batch_key
from connector_assets.defs import operations as ops
from connector_assets.defs.partitions import payroll_key
from connector_assets.demo.dev import start_receiver, subscribe_sandbox, webhook_url
from connector_assets.demo.environment import SandboxEnvironment, Tenant
from connector_assets.gusto.signature import SIGNATURE_HEADER, sign
from connector_assets.sandbox.server import ServerThread
from connector_assets.store.assignments import Assignments
from connector_assets.store.crypto import SecretCipher
from connector_assets.store.inbox import DISPATCHED, Inbox
from connector_assets.store.postings import POSTED, Postings
from connector_assets_tests.e2e.deployment import reload_definitions, write_dagster_home

pytestmark = pytest.mark.timeout(180)


def wait_until(condition: Callable[[], bool], timeout_s: float = 30.0, what: str = "condition") -> None:
    """Poll a condition (not a fixed sleep): returns as soon as it holds, fails after `timeout_s`."""
    deadline = time.monotonic() + timeout_s
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout_s} s waiting for {what}")
        time.sleep(0.05)


@dataclass
class Realtime:
    """One connection's sandbox, receiver and Dagster instance, with a sensor cursor carried across ticks."""

    env: SandboxEnvironment
    tenant: Tenant
    receiver: ServerThread
    instance: dg.DagsterInstance
    engine: Engine
    cursor: str | None = None
    runs: list[ops.RunOutcome] = field(default_factory=list)

    @property
    def connection_id(self) -> str:
        return self.tenant.connection_id

    def deliver_all(self) -> None:
        assert self.tenant.gusto.webhooks.join(timeout=60), "webhook deliveries still queued"

    def tick(self) -> list[ops.RunOutcome]:
        outcomes, self.cursor = ops.process_inbox(self.instance, self.cursor)
        self.runs += outcomes
        assert all(o.success for o in outcomes), [o.error for o in outcomes]
        return outcomes

    def posted_vouchers(self, payroll_uuid: str) -> list[Any]:
        """ION vouchers carrying this payroll's posted references, and the posted ledger rows."""
        rows = [
            p for p in Postings(self.engine).for_payroll(self.connection_id, payroll_uuid) if p.state == POSTED
        ]
        keys = {batch_key(p.external_reference) for p in rows}
        assert len(rows) == 1, f"{len(rows)} posted rows for payroll {payroll_uuid}"
        return [v for v in self.tenant.ion.vouchers() if v.key1 in keys]

    def restart_receiver(self) -> None:
        port = self.receiver.port
        self.receiver.stop()
        self.receiver = start_receiver(self.env, port=port)


@pytest.fixture
def make_realtime(
    tmp_path: Path, postgres_store: Engine, fresh_postgres_url: str
) -> Iterator[Callable[..., Realtime]]:
    """Factory: a subscribed, master-data-ready connection; keyword arguments are Gusto simulator options."""
    saved_env = dict(os.environ)
    started: list[Realtime] = []
    instance = dg.DagsterInstance.from_config(
        str(write_dagster_home(tmp_path / "dagster_home", fresh_postgres_url))
    )
    database_url = postgres_store.url.render_as_string(hide_password=False)

    def make(**gusto_options: Any) -> Realtime:
        env = SandboxEnvironment(tmp_path / "work", database_url, SecretCipher.generate_key())
        connection_id = f"rt-{uuid.uuid4().hex[:8]}"
        options = {"webhook_retry_base_s": 0.1, **gusto_options}
        tenant = env.add_tenant(connection_id, employees=3, history_months=0, gusto_options=options)
        # The Definitions read the environment when imported; this test's connection file and store win.
        reload_definitions()
        receiver = start_receiver(env)
        rt = Realtime(env, tenant, receiver, instance, postgres_store)
        started.append(rt)
        subscribe_sandbox(env, connection_id, receiver.url)
        master = ops.run_job(instance, "master_data_job", connection_id)
        assert master.success, master.error
        return rt

    yield make
    for rt in started:
        rt.receiver.stop()
        rt.env.close()
    instance.dispose()
    os.environ.clear()
    os.environ.update(saved_env)
    reload_definitions()  # back to whatever deployment the environment describes again


def test_webhook_event_posts_the_payroll(make_realtime: Callable[..., Realtime]) -> None:
    """A processed payroll travels webhook → inbox → sensor → run and becomes one voucher in M3."""
    rt = make_realtime()
    payroll = rt.tenant.gusto.run_payroll()
    rt.deliver_all()
    (event,) = Inbox(rt.engine).after(0, limit=10)
    assert (event.event_type, event.entity_uuid, event.source) == ("payroll.processed", payroll.uuid, "webhook")
    (run,) = rt.tick()
    assert run.partition_key == payroll_key(rt.connection_id, payroll.uuid, payroll.check_date)
    assert len(rt.posted_vouchers(payroll.uuid)) == 1
    (marked,) = Inbox(rt.engine).after(0, limit=10)
    recorded = rt.instance.get_run_by_id(run.run_id)
    assert recorded is not None and marked.state == DISPATCHED
    assert recorded.tags["dagster/run_key"] == marked.run_id
    assert rt.tick() == []
    assert ops.process_inbox(rt.instance, None)[0] == []


def test_duplicate_and_out_of_order_deliveries(make_realtime: Callable[..., Realtime]) -> None:
    """Every event delivered twice and in reverse order still leaves exactly one voucher per payroll."""
    rt = make_realtime(webhook_duplicates=True, webhook_out_of_order=True)
    hooks = rt.tenant.gusto.webhooks
    hooks.pause()
    first = rt.tenant.gusto.run_payroll()
    second = rt.tenant.gusto.run_payroll(off_cycle=True, reason="Bonus")
    hooks.resume()
    rt.deliver_all()
    delivered = [d.event_uuid for d in hooks.deliveries(ok=True) if d.event_uuid]
    assert len(delivered) == 4 and len(set(delivered)) == 2
    stored = Inbox(rt.engine).after(0, limit=10)
    assert [e.entity_uuid for e in stored] == [second.uuid, first.uuid]
    assert sorted(str(r.partition_key) for r in rt.tick()) == sorted(
        payroll_key(rt.connection_id, p.uuid, p.check_date) for p in (first, second)
    )
    assert [len(rt.posted_vouchers(p.uuid)) for p in (first, second)] == [1, 1]


def test_bad_signature_is_rejected_and_nothing_stored(make_realtime: Callable[..., Realtime]) -> None:
    """A delivery signed with a key Gusto never issued gets 401 and never reaches the inbox or a run."""
    rt = make_realtime()
    body = json.dumps({
        "uuid": str(uuid.uuid4()), "event_type": "payroll.processed", "resource_type": "Company",
        "resource_uuid": rt.tenant.world.company.uuid, "entity_type": "Payroll",
        "entity_uuid": rt.tenant.world.payrolls[0].uuid, "timestamp": 1671058841,
    }).encode()  # fmt: skip
    url = webhook_url(rt.receiver.url, rt.connection_id)
    forged = httpx.post(url, content=body, headers={SIGNATURE_HEADER: sign(body, "not-the-token")})
    unsigned = httpx.post(url, content=body)
    assert (forged.status_code, unsigned.status_code) == (401, 401)
    assert Inbox(rt.engine).count() == 0
    assert rt.tick() == []


def test_receiver_outage_recovered_by_retries_and_poll(make_realtime: Callable[..., Realtime]) -> None:
    """Events refused while the receiver is down arrive on Gusto's retries; the poll adds nothing new to post."""
    rt = make_realtime()
    rt.receiver.stop()
    payroll = rt.tenant.gusto.run_payroll()
    hooks = rt.tenant.gusto.webhooks
    wait_until(lambda: any(d.event_uuid and not d.ok for d in hooks.deliveries()), what="a failed delivery")
    assert Inbox(rt.engine).count() == 0
    rt.restart_receiver()
    rt.deliver_all()
    assert [e.entity_uuid for e in Inbox(rt.engine).after(0, limit=10)] == [payroll.uuid]
    rt.tick()
    poll = ops.poll_gusto(rt.instance, [rt.connection_id])
    assert poll.success
    rt.tick()
    assert len(rt.posted_vouchers(payroll.uuid)) == 1
    polled = {p.payroll_uuid for p in Postings(rt.engine).in_state(POSTED, rt.connection_id)}
    assert payroll.uuid in polled and len(polled) > 1, "the poll found no payroll the webhooks had not sent"
    assert [len(rt.posted_vouchers(uuid)) for uuid in sorted(polled)] == [1] * len(polled)


def test_employee_webhooks_start_an_effective_dated_assignment(
    make_realtime: Callable[..., Realtime], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A transfer travels employee.updated → inbox → sensor → workforce run and starts a new assignment dated
    the day Gusto stamped the event, even when processed days later; a job change through its compensation
    event updates that day's assignment."""
    rt = make_realtime()
    assert ops.run_job(rt.instance, "workforce_job", rt.connection_id).success
    assignments = Assignments(rt.engine)
    world = rt.tenant.world
    mover = world.employees[0]
    (before,) = assignments.history(rt.connection_id, [mover.uuid])
    target = next(d for d in world.departments if d.uuid != mover.department_uuid)
    rt.tenant.gusto.transfer(mover.uuid, department=target.title)
    rt.deliver_all()
    (event,) = [e for e in Inbox(rt.engine).after(0, limit=100) if e.entity_uuid == mover.uuid]
    assert event.event_type == "employee.updated"
    stamped = datetime.fromtimestamp(json.loads(event.body)["timestamp"], UTC).date()
    # The sensor runs two days after Gusto sent the event (an outage): the transfer keeps the event's day.
    monkeypatch.setenv("CONNECTOR_TODAY", (stamped + timedelta(days=2)).isoformat())
    runs = rt.tick()
    assert [(r.job_name, r.partition_key) for r in runs] == [("workforce_job", rt.connection_id)]
    first, moved = assignments.history(rt.connection_id, [mover.uuid])
    assert first == before and before.effective_from < stamped
    assert (moved.department, moved.effective_from, moved.source) == (
        target.title,
        stamped,
        "webhook employee.updated",
    )

    rt.tenant.gusto.transfer(mover.uuid, job_title="Team Lead")
    rt.deliver_all()
    rt.tick()
    *_, retitled = assignments.history(rt.connection_id, [mover.uuid])
    assert (retitled.department, retitled.job_title) == (target.title, "Team Lead")
    assert retitled.source == "webhook job_compensation.updated"
