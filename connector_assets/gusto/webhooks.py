"""Webhook subscriptions (reference §10): create, verify, list, delete, and the `subscribe` handshake.

Creating a subscription makes Gusto POST a verification token to the receiver, which stores it (it is
also the HMAC key of every later delivery). `subscribe` waits, bounded, until the receiver has stored it
and then sends it back to Gusto's verify endpoint; only verified subscriptions receive events.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from connector_assets.gusto.errors import GustoApiError, GustoError
from connector_assets.gusto.http import GustoHttp
from connector_assets.gusto.models import WebhookSubscription
from connector_assets.store.subscriptions import Subscriptions

if TYPE_CHECKING:
    from connector_assets.gusto.client import GustoClient

SUBSCRIPTION_TYPES: tuple[str, ...] = ("Company", "Employee", "EmployeeJobCompensation", "Payroll")
"""What the connector acts on: payroll runs, people changes, jobs/compensations, grant changes."""
PATH = "/v1/webhook_subscriptions"
UNCLAIMED_PREFIX = "unclaimed-"
"""Rows the receiver makes for a handshake token whose subscription it cannot name yet."""


class VerificationTimeout(GustoError):
    """The receiver did not store a verification token in time."""


def list_subscriptions(http: GustoHttp) -> list[WebhookSubscription]:
    return [WebhookSubscription.from_api(x) for x in http.get_json(PATH)]


def get_subscription(http: GustoHttp, subscription_uuid: str) -> WebhookSubscription:
    return WebhookSubscription.from_api(http.get_json(f"{PATH}/{subscription_uuid}"))


def create_subscription(http: GustoHttp, url: str, subscription_types: Sequence[str]) -> WebhookSubscription:
    body = {"url": url, "subscription_types": list(subscription_types)}
    return WebhookSubscription.from_api(http.request("POST", PATH, json=body).json())


def verify_subscription(http: GustoHttp, subscription_uuid: str, verification_token: str) -> WebhookSubscription:
    """Send the token back; Gusto answers 422 (`GustoApiError`) when it is not the one it sent."""
    response = http.request(
        "PUT", f"{PATH}/{subscription_uuid}/verify", json={"verification_token": verification_token}
    )
    return WebhookSubscription.from_api(response.json())


def request_verification_token(http: GustoHttp, subscription_uuid: str) -> None:
    """Ask Gusto to POST the verification token to the receiver again."""
    http.request("GET", f"{PATH}/{subscription_uuid}/request_verification_token")


def delete_subscription(http: GustoHttp, subscription_uuid: str) -> None:
    http.request("DELETE", f"{PATH}/{subscription_uuid}")


def candidate_tokens(subscriptions: Subscriptions, connection_id: str, subscription_uuid: str) -> list[str]:
    """Tokens that may be this subscription's: its own row first, then unclaimed ones.

    The handshake can reach the receiver before Gusto's 201 reaches us; the receiver then keeps the token
    in a row named `unclaimed-…` (see `connector_assets.receiver.handshake`). Gusto's verify endpoint
    tells which token is the right one.
    """
    own: list[str] = []
    unclaimed: list[str] = []
    for sub in subscriptions.for_connection(connection_id):
        if not sub.verification_token:
            continue
        if sub.subscription_uuid == subscription_uuid:
            own.append(sub.verification_token)
        elif sub.subscription_uuid.startswith(UNCLAIMED_PREFIX) and sub.status == "pending":
            unclaimed.append(sub.verification_token)
    return own + [t for t in unclaimed if t not in own]


def wait_for_tokens(
    subscriptions: Subscriptions,
    connection_id: str,
    subscription_uuid: str,
    *,
    timeout_s: float = 120.0,
    poll_s: float = 1.0,
    resend: Callable[[], None] | None = None,
    resend_after_s: float = 15.0,
    progress: Callable[[str], None] = lambda _msg: None,
    sleep: Callable[[float], None] = time.sleep,
    monotonic: Callable[[], float] = time.monotonic,
) -> list[str]:
    """Poll the store until the receiver has saved a token; ask Gusto to resend once if it is slow."""
    started = monotonic()
    resent = False
    while True:
        tokens = candidate_tokens(subscriptions, connection_id, subscription_uuid)
        if tokens:
            return tokens
        waited = monotonic() - started
        if waited >= timeout_s:
            raise VerificationTimeout(
                f"no verification token for Gusto subscription {subscription_uuid} (connection "
                f"{connection_id!r}) after {timeout_s:.0f} s; check that the receiver is reachable at the "
                "subscription URL and shares this database, then run `connector gusto subscribe` again"
            )
        if resend is not None and not resent and waited >= resend_after_s:
            progress(f"no token yet after {waited:.0f} s; asking Gusto to send it again")
            resend()
            resent = True
        else:
            progress(f"waiting for the receiver to store the verification token ({waited:.0f}/{timeout_s:.0f} s)")
        sleep(poll_s)


def complete_verification(
    client: GustoClient,
    subscription_uuid: str,
    token: str | Sequence[str],
    subscriptions: Subscriptions | None = None,
) -> WebhookSubscription:
    """Verify the subscription at Gusto with the (first accepted) token and record it in the store."""
    tokens = [token] if isinstance(token, str) else list(token)
    rejected: GustoApiError | None = None
    for candidate in tokens:
        try:
            verified = client.verify_webhook_subscription(subscription_uuid, candidate)
        except GustoApiError as exc:
            if exc.status != 422:
                raise
            rejected = exc
            continue
        if subscriptions is not None:
            subscriptions.save(
                subscription_uuid=subscription_uuid,
                connection_id=client.connection_id,
                status=verified.status or "verified",
                url=verified.url,
                verification_token=candidate,
            )
        return verified
    if rejected is not None:
        raise rejected
    raise VerificationTimeout(f"no verification token given for Gusto subscription {subscription_uuid}")


def subscribe(
    client: GustoClient,
    subscriptions: Subscriptions,
    url: str,
    *,
    subscription_types: Sequence[str] = SUBSCRIPTION_TYPES,
    timeout_s: float = 120.0,
    poll_s: float = 1.0,
    progress: Callable[[str], None] = lambda _msg: None,
    sleep: Callable[[float], None] = time.sleep,
) -> WebhookSubscription:
    """Create a subscription, wait for the receiver to store its token, then verify it."""
    created = client.create_webhook_subscription(url, subscription_types)
    subscriptions.save(
        subscription_uuid=created.uuid,
        connection_id=client.connection_id,
        status=created.status or "pending",
        url=created.url or url,
    )
    progress(f"created subscription {created.uuid} ({', '.join(subscription_types)}), status {created.status}")
    tokens = wait_for_tokens(
        subscriptions,
        client.connection_id,
        created.uuid,
        timeout_s=timeout_s,
        poll_s=poll_s,
        resend=lambda: client.request_verification_token(created.uuid),
        resend_after_s=min(15.0, timeout_s / 2),
        progress=progress,
        sleep=sleep,
    )
    verified = complete_verification(client, created.uuid, tokens, subscriptions)
    progress(f"subscription {verified.uuid} is {verified.status}")
    return verified


def unsubscribe(client: GustoClient, subscriptions: Subscriptions, subscription_uuid: str) -> None:
    """Delete the subscription at Gusto and mark it removed in the store."""
    client.delete_webhook_subscription(subscription_uuid)
    subscriptions.save(subscription_uuid=subscription_uuid, connection_id=client.connection_id, status="removed")
