"""Webhook delivery over real HTTP: handshake, HMAC signature, retries, timeouts, duplicates, reordering."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from connector_assets.sandbox.server import ServerThread
from connector_assets_tests.fixtures.gusto_sandbox import GustoSandbox, SandboxFactory


@dataclass
class Receiver:
    """A webhook receiver on loopback that records raw bodies and can fail or stall on purpose."""

    fail_first: int = 0
    stall_first: int = 0
    received: list[tuple[dict[str, str], bytes]] = field(default_factory=list)
    server: ServerThread | None = None

    async def handle(self, request: Request) -> JSONResponse:
        body = await request.body()
        self.received.append((dict(request.headers), body))
        if len(self.received) <= self.stall_first:
            await asyncio.sleep(2)  # slower than the sender's timeout: this attempt must count as failed
        if len(self.received) <= self.fail_first:
            return JSONResponse({"ok": False}, status_code=500)
        return JSONResponse({"ok": True})

    @property
    def url(self) -> str:
        assert self.server is not None
        return f"{self.server.url}/hook"

    def events(self) -> list[dict[str, Any]]:
        bodies = [json.loads(b) for _, b in self.received]
        return [b for b in bodies if "event_type" in b]


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    """A started receiver; tests set fail_first/stall_first before traffic arrives."""
    rec = Receiver()
    rec.server = ServerThread(Starlette(routes=[Route("/hook", rec.handle, methods=["POST"])])).start()
    yield rec
    rec.server.stop()


def subscribe(sb: GustoSandbox, url: str, types: list[str], verify: bool = True) -> str:
    """Create a subscription and, by default, complete the verification handshake."""
    with sb.client(sb.system_token()) as c:
        sub = c.post("/v1/webhook_subscriptions", json={"url": url, "subscription_types": types}).json()
        assert sb.sim.webhooks.join(10)
        if verify:
            token = sb.sim.webhooks.subscriptions[sub["uuid"]].verification_token
            verified = c.put(f"/v1/webhook_subscriptions/{sub['uuid']}/verify", json={"verification_token": token})
            assert verified.json()["status"] == "verified"
    return str(sub["uuid"])


def test_handshake_posts_token_and_verify_checks_it(gusto_sandbox: GustoSandbox, receiver: Receiver) -> None:
    """Creating a subscription POSTs the verification token; a wrong token is 422, the right one verifies."""
    sb = gusto_sandbox
    uuid = subscribe(sb, receiver.url, ["Employee"], verify=False)
    token = json.loads(receiver.received[0][1])["verification_token"]
    sb.sim.hire(first_name="Early")  # before verification: not delivered
    with sb.client(sb.system_token()) as c:
        wrong = c.put(f"/v1/webhook_subscriptions/{uuid}/verify", json={"verification_token": "nope"})
        right = c.put(f"/v1/webhook_subscriptions/{uuid}/verify", json={"verification_token": token})
    assert wrong.status_code == 422 and wrong.json()["errors"][0]["message"] == "Invalid verification token"
    assert right.status_code == 200 and right.json()["status"] == "verified"
    assert sb.sim.webhooks.join(10) and receiver.events() == []


def test_event_is_signed_with_hex_hmac_of_raw_body(gusto_sandbox: GustoSandbox, receiver: Receiver) -> None:
    """X-Gusto-Signature is hex HMAC-SHA256 of the exact body bytes keyed by the verification token."""
    sb = gusto_sandbox
    uuid = subscribe(sb, receiver.url, ["Employee"])
    key = sb.sim.webhooks.subscriptions[uuid].verification_token
    employee = sb.sim.hire(first_name="Signed")
    assert sb.sim.webhooks.join(10)
    headers, body = receiver.received[-1]
    assert headers["x-gusto-signature"] == hmac.new(key.encode(), body, hashlib.sha256).hexdigest()
    event = json.loads(body)
    assert event["event_type"] == "employee.created" and event["entity_uuid"] == employee.uuid
    assert event["resource_type"] == "Company" and event["resource_uuid"] == sb.company_uuid
    assert isinstance(event["timestamp"], int)


def test_only_subscribed_types_are_delivered(gusto_sandbox: GustoSandbox, receiver: Receiver) -> None:
    """A Payroll-only subscription receives payroll.processed but not employee events."""
    sb = gusto_sandbox
    subscribe(sb, receiver.url, ["Payroll"])
    sb.sim.hire()
    payroll = sb.sim.run_payroll(pay_schedule="hourly")
    assert sb.sim.webhooks.join(10)
    assert [(e["event_type"], e["entity_uuid"]) for e in receiver.events()] == [
        ("payroll.processed", payroll.uuid)
    ]


def test_failed_delivery_is_retried_until_it_succeeds(
    make_gusto_sandbox: SandboxFactory, receiver: Receiver
) -> None:
    """Two 500s then a 200: three attempts of the same event, logged with increasing attempt numbers."""
    sb = make_gusto_sandbox(webhook_retry_base_s=0.01)
    subscribe(sb, receiver.url, ["Employee"])
    receiver.fail_first = len(receiver.received) + 2
    sb.sim.hire()
    assert sb.sim.webhooks.join(10)
    events = receiver.events()
    assert len(events) == 3 and len({e["uuid"] for e in events}) == 1
    log = [(d.attempt, d.ok) for d in sb.sim.webhooks.deliveries() if d.event_uuid == events[0]["uuid"]]
    assert log == [(1, False), (2, False), (3, True)]


def test_slow_receiver_counts_as_failure(make_gusto_sandbox: SandboxFactory, receiver: Receiver) -> None:
    """An answer slower than the delivery timeout is a failed attempt and the event is sent again."""
    sb = make_gusto_sandbox(webhook_retry_base_s=0.01, webhook_timeout_s=0.3)
    subscribe(sb, receiver.url, ["Employee"])
    receiver.stall_first = len(receiver.received) + 1
    sb.sim.hire()
    assert sb.sim.webhooks.join(10)
    deliveries = [d for d in sb.sim.webhooks.deliveries() if d.event_uuid]
    assert [d.ok for d in deliveries] == [False, True] and "Timeout" in (deliveries[0].error or "")


def test_exhausted_retries_mark_subscription_unreachable(
    make_gusto_sandbox: SandboxFactory, receiver: Receiver
) -> None:
    """After webhook_max_attempts failures the subscription becomes unreachable."""
    sb = make_gusto_sandbox(webhook_retry_base_s=0.01, webhook_max_attempts=2)
    uuid = subscribe(sb, receiver.url, ["Employee"])
    receiver.fail_first = 10**6
    sb.sim.hire()
    assert sb.sim.webhooks.join(10)
    assert sb.sim.webhooks.subscriptions[uuid].status == "unreachable"
    with sb.client(sb.system_token()) as c:
        assert c.get("/v1/webhooks/health_check").json()["status"] == "unhealthy"


def test_duplicates_option_sends_each_event_twice(make_gusto_sandbox: SandboxFactory, receiver: Receiver) -> None:
    """With webhook_duplicates every event arrives twice with the same uuid (at-least-once)."""
    sb = make_gusto_sandbox(webhook_duplicates=True)
    subscribe(sb, receiver.url, ["Employee"])
    sb.sim.hire()
    assert sb.sim.webhooks.join(10)
    uuids = [e["uuid"] for e in receiver.events()]
    assert len(uuids) == 2 and len(set(uuids)) == 1  # the compensation event is not subscribed


def test_out_of_order_option_reverses_held_deliveries(
    make_gusto_sandbox: SandboxFactory, receiver: Receiver
) -> None:
    """Held deliveries released with webhook_out_of_order arrive newest first; /v1/events keeps true order."""
    sb = make_gusto_sandbox(webhook_out_of_order=True)
    subscribe(sb, receiver.url, ["Employee"])
    sb.sim.webhooks.pause()
    hired = [sb.sim.hire(first_name=name).uuid for name in ("Ann", "Bob", "Cy")]
    assert receiver.events() == []  # held, not sent
    sb.sim.webhooks.resume()
    assert sb.sim.webhooks.join(10)
    assert [e["entity_uuid"] for e in receiver.events()] == list(reversed(hired))
    with sb.client(sb.system_token()) as c:
        logged = c.get("/v1/events", params={"event_type": "employee.created", "limit": 100}).json()
    assert [e["entity_uuid"] for e in logged][-3:] == hired


def test_resend_verification_token(gusto_sandbox: GustoSandbox, receiver: Receiver) -> None:
    """request_verification_token POSTs the same token to the subscriber again."""
    sb = gusto_sandbox
    uuid = subscribe(sb, receiver.url, ["Payroll"], verify=False)
    with sb.client(sb.system_token()) as c:
        c.get(f"/v1/webhook_subscriptions/{uuid}/request_verification_token")
    assert sb.sim.webhooks.join(10)
    tokens = [json.loads(b)["verification_token"] for _, b in receiver.received]
    assert len(tokens) == 2 and tokens[0] == tokens[1]


def test_subscription_update_and_delete(gusto_sandbox: GustoSandbox, receiver: Receiver) -> None:
    """PUT changes only subscription_types; DELETE removes the subscription from the list."""
    sb = gusto_sandbox
    uuid = subscribe(sb, receiver.url, ["Payroll"])
    with sb.client(sb.system_token()) as c:
        updated = c.put(
            f"/v1/webhook_subscriptions/{uuid}",
            json={"subscription_types": ["Employee"], "url": "http://elsewhere.example/"},
        )
        assert updated.json()["subscription_types"] == ["Employee"] and updated.json()["url"] == receiver.url
        bad = c.put(f"/v1/webhook_subscriptions/{uuid}", json={"subscription_types": ["Department"]})
        assert bad.status_code == 422
        assert c.delete(f"/v1/webhook_subscriptions/{uuid}").status_code == 204
        assert c.get("/v1/webhook_subscriptions").json() == []
        assert c.get(f"/v1/webhook_subscriptions/{uuid}").status_code == 404
