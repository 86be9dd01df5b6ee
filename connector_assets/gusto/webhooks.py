"""Webhook subscriptions (reference §10): create, verify, list, delete, and the `subscribe` handshake.

Creating a subscription makes Gusto POST a verification token to the receiver (it is also the HMAC key of
every later delivery). The POST is unsigned, so the receiver takes it only while `subscribe` waits, into a
quarantine (`store.handshakes`); `subscribe` tries the candidates against Gusto's verify endpoint, which
refuses any token but its own, and stores the verified one; only verified subscriptions receive events.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Collection, Sequence
from datetime import datetime
from typing import TYPE_CHECKING

from connector_assets.gusto.errors import GustoApiError, GustoError
from connector_assets.gusto.http import GustoHttp
from connector_assets.gusto.models import WebhookSubscription
from connector_assets.store.handshakes import HandshakeQuarantine
from connector_assets.store.subscriptions import Subscriptions

if TYPE_CHECKING:
    from connector_assets.gusto.client import GustoClient

SUBSCRIPTION_TYPES: tuple[str, ...] = (
    "Company",
    "ContractorPayment",
    "Employee",
    "EmployeeJobCompensation",
    "Payroll",
)
"""What the connector acts on: payroll runs, contractor payments, people changes, jobs/compensations, grant changes."""
PATH = "/v1/webhook_subscriptions"
WINDOW_GRACE_S = 30.0  # the receiver's window outlives the wait a little, for a token already on its way


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


def wait_for_tokens(
    quarantine: HandshakeQuarantine,
    connection_id: str,
    subscription_uuid: str,
    *,
    since: datetime,
    exclude: Collection[str] = (),
    timeout_s: float = 120.0,
    poll_s: float = 1.0,
    resend: Callable[[], None] | None = None,
    resend_after_s: float = 15.0,
    progress: Callable[[str], None] = lambda _msg: None,
    sleep: Callable[[float], None] = time.sleep,
    monotonic: Callable[[], float] = time.monotonic,
) -> list[str]:
    """Poll the quarantine until the receiver holds a token not yet tried (named for this subscription first);
    ask Gusto to resend once if it is slow."""
    started = monotonic()
    resent = False
    while True:
        tokens = [t for t in quarantine.candidates(connection_id, subscription_uuid, since) if t not in exclude]
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
            progress(
                f"waiting for the receiver to receive the verification token ({waited:.0f}/{timeout_s:.0f} s)"
            )
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
    quarantine = HandshakeQuarantine(subscriptions.engine, subscriptions.cipher)
    # The receiver takes unsigned handshakes for this connection only while this window is open.
    opened = quarantine.open_window(client.connection_id, timeout_s + WINDOW_GRACE_S)
    started = time.monotonic()
    try:
        created = client.create_webhook_subscription(url, subscription_types)
        subscriptions.save(
            subscription_uuid=created.uuid,
            connection_id=client.connection_id,
            status=created.status or "pending",
            url=created.url or url,
        )
        progress(f"created subscription {created.uuid} ({', '.join(subscription_types)}), status {created.status}")
        tried: set[str] = set()
        while True:
            tokens = wait_for_tokens(
                quarantine, client.connection_id, created.uuid, since=opened, exclude=tried,
                timeout_s=max(timeout_s - (time.monotonic() - started), 0.0), poll_s=poll_s,
                resend=None if tried else lambda: client.request_verification_token(created.uuid),
                resend_after_s=min(15.0, timeout_s / 2), progress=progress, sleep=sleep,
            )  # fmt: skip
            try:
                verified = complete_verification(client, created.uuid, tokens, subscriptions)
                break
            except GustoApiError as exc:
                if exc.status != 422:
                    raise
                # Someone else's handshake (strangers can POST one): keep waiting for Gusto's own.
                tried.update(tokens)
                progress(f"{len(tokens)} received token(s) are not this subscription's; waiting for Gusto's")
    finally:
        quarantine.close_window(client.connection_id)
    quarantine.clear(client.connection_id)
    progress(f"subscription {verified.uuid} is {verified.status}")
    return verified


def unsubscribe(client: GustoClient, subscriptions: Subscriptions, subscription_uuid: str) -> None:
    """Delete the subscription at Gusto and mark it removed in the store."""
    client.delete_webhook_subscription(subscription_uuid)
    subscriptions.save(subscription_uuid=subscription_uuid, connection_id=client.connection_id, status="removed")
