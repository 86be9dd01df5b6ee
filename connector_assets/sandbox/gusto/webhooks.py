"""Webhook subscriptions and delivery (§10): signed POSTs from a background thread, retried with backoff.

Deterministic test hooks: `pause()`/`resume()` hold deliveries so several can be released at once (in
reverse order when `out_of_order` is set), and `join(timeout)` returns once nothing is queued or in flight.
"""

from __future__ import annotations

import hashlib
import heapq
import hmac
import itertools
import json
import threading
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

import httpx

from connector_assets.sandbox.gusto.options import SimulatorOptions


def sign(body: bytes, verification_token: str) -> str:
    """Gusto's `X-Gusto-Signature`: lowercase hex HMAC-SHA256 of the raw body keyed by the token."""
    return hmac.new(verification_token.encode(), body, hashlib.sha256).hexdigest()


@dataclass
class Subscription:
    uuid: str
    url: str
    subscription_types: list[str]
    verification_token: str = field(repr=False)
    status: str = "pending"
    failures: int = 0

    def to_json(self) -> dict[str, Any]:
        return {
            "uuid": self.uuid,
            "url": self.url,
            "status": self.status,
            "subscription_types": list(self.subscription_types),
        }


@dataclass
class Delivery:
    """One attempt to POST a body to a subscriber, as recorded in the delivery log."""

    subscription_uuid: str
    event_uuid: str | None
    attempt: int
    status_code: int | None
    error: str | None
    ok: bool


@dataclass(order=True)
class _Job:
    due: float
    seq: int
    subscription_uuid: str = field(compare=False)
    url: str = field(compare=False)
    body: bytes = field(compare=False, repr=False)
    key: str = field(compare=False, repr=False)
    event_uuid: str | None = field(compare=False)
    attempt: int = field(compare=False, default=1)


class WebhookDispatcher:
    """Queue and worker thread that deliver events to subscribers."""

    def __init__(self, options: SimulatorOptions) -> None:
        self.options = options
        self.subscriptions: dict[str, Subscription] = {}
        self.log: list[Delivery] = []
        self._heap: list[_Job] = []
        self._held: list[_Job] = []
        self._seq = itertools.count()
        self._cond = threading.Condition()
        self._in_flight = 0
        self._paused = False
        self._stopped = False
        self._client: httpx.Client | None = None  # created on first delivery: building one costs ~0.2 s
        self._thread = threading.Thread(target=self._run, name="gusto-webhooks", daemon=True)
        self._thread.start()

    # subscriptions -------------------------------------------------------------------------------------
    def create(self, url: str, types: list[str]) -> Subscription:
        sub = Subscription(str(uuid.uuid4()), url, list(types), str(uuid.uuid4()))
        with self._cond:
            self.subscriptions[sub.uuid] = sub
        self.send_verification(sub)
        return sub

    def send_verification(self, sub: Subscription) -> None:
        body = json.dumps({"verification_token": sub.verification_token}).encode()
        key = sub.verification_token if self.options.sign_verification_post else ""
        self._enqueue(sub, body, key, None)

    # delivery -----------------------------------------------------------------------------------------
    def publish(self, event: dict[str, Any], subscription_type: str | None, always: bool = False) -> None:
        """Queue `event` for every verified subscription whose types include `subscription_type`."""
        body = json.dumps(event, separators=(",", ":")).encode()
        with self._cond:
            targets = [
                s
                for s in self.subscriptions.values()
                if s.status == "verified" and (always or subscription_type in s.subscription_types)
            ]
        for sub in targets:
            for _ in range(2 if self.options.webhook_duplicates else 1):
                self._enqueue(sub, body, sub.verification_token, event["uuid"])

    def _enqueue(self, sub: Subscription, body: bytes, key: str, event_uuid: str | None) -> None:
        job = _Job(time.monotonic(), next(self._seq), sub.uuid, sub.url, body, key, event_uuid)
        with self._cond:
            (self._held if self._paused else self._heap).append(job)
            if not self._paused:
                heapq.heapify(self._heap)
            self._cond.notify_all()

    def pause(self) -> None:
        """Hold new deliveries until `resume()`."""
        with self._cond:
            self._paused = True

    def resume(self) -> None:
        """Release held deliveries, in reverse order when `out_of_order` is on."""
        with self._cond:
            self._paused = False
            held = list(reversed(self._held)) if self.options.webhook_out_of_order else self._held
            now = time.monotonic()
            for job in held:
                job.due, job.seq = now, next(self._seq)
                heapq.heappush(self._heap, job)
            self._held = []
            self._cond.notify_all()

    def join(self, timeout: float = 10.0) -> bool:
        """Wait until no delivery is queued or in flight (held ones do not count); False on timeout."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while self._heap or self._in_flight:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return False
                self._cond.wait(remaining)
        return True

    def deliveries(self, ok: bool | None = None) -> list[Delivery]:
        with self._cond:
            return [d for d in self.log if ok is None or d.ok == ok]

    def stop(self) -> None:
        with self._cond:
            self._stopped = True
            self._cond.notify_all()
        self._thread.join(timeout=5)
        if self._client is not None:
            self._client.close()

    def _run(self) -> None:
        while True:
            with self._cond:
                while not self._stopped and (not self._heap or self._heap[0].due > time.monotonic()):
                    wait = self._heap[0].due - time.monotonic() if self._heap else None
                    self._cond.wait(wait)
                if self._stopped:
                    return
                job = heapq.heappop(self._heap)
                self._in_flight += 1
            try:
                self._attempt(job)
            finally:
                with self._cond:
                    self._in_flight -= 1
                    self._cond.notify_all()

    def _attempt(self, job: _Job) -> None:
        headers = {"Content-Type": "application/json"}
        if job.key:
            headers["X-Gusto-Signature"] = sign(job.body, job.key)
        status: int | None = None
        error: str | None = None
        if self._client is None:
            self._client = httpx.Client(timeout=self.options.webhook_timeout_s)
        try:
            response = self._client.post(job.url, content=job.body, headers=headers)
            status = response.status_code
        except httpx.HTTPError as exc:  # the receiver failing is what retries are for
            error = f"{type(exc).__name__}: {exc}"
        ok = status is not None and 200 <= status < 300
        with self._cond:
            self.log.append(Delivery(job.subscription_uuid, job.event_uuid, job.attempt, status, error, ok))
            sub = self.subscriptions.get(job.subscription_uuid)
            if ok or sub is None or sub.status == "removed":
                return
            if job.attempt >= self.options.webhook_max_attempts:
                if self.options.webhook_deactivate_after_exhaustion:
                    sub.status = "unreachable"
                return
            job.attempt += 1
            job.due = time.monotonic() + self.options.webhook_retry_base_s * 2 ** (job.attempt - 2)
            job.seq = next(self._seq)
            heapq.heappush(self._heap, job)
