"""The webhook receiver: an ASGI app that stores each signed Gusto event in the inbox before answering 2xx.

Gusto waits 10 s for a 2xx and retries otherwise (gusto-api.md §10.5), so every answer says exactly
what happened: 200 stored (or already stored), 401 not signed by a known token (an unknown connection gets
the very same answer, so connection ids cannot be enumerated), 400 not an event, 408 body slower than the
deadline, 413 too large, 429 handshake flood, 503 store down (Gusto will retry). An unsigned handshake is
taken only while `connector gusto subscribe` waits, into a bounded quarantine (`store.handshakes`). The blocking store work of
one delivery runs in one thread-pool hop; the inbox insert, batched with its neighbours, is the only I/O
on the hot path.
"""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Any

from sqlalchemy import Engine, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from connector_assets.gusto.signature import SIGNATURE_HEADER
from connector_assets.receiver.body import DEFAULT_MAX_BODY_BYTES, BadContentLength, BodyTooLarge, read_body
from connector_assets.receiver.keys import VerificationKeys
from connector_assets.receiver.limits import RateLimiter, ReceiverLimits
from connector_assets.receiver.log import log_event, log_rejection
from connector_assets.receiver.payload import (
    Event,
    MalformedPayload,
    is_handshake,
    parse_json,
    to_event,
    to_handshake,
)
from connector_assets.receiver.writer import InboxWriter
from connector_assets.store.crypto import EncryptionKeyError, SecretCipher
from connector_assets.store.engine import StoreUnavailable
from connector_assets.store.handshakes import HandshakeQuarantine
from connector_assets.store.subscriptions import Subscriptions

# Gusto waits 10 s for an answer. A delivery whose store work has not finished after this long is
# answered 503 (Gusto delivers again; the inbox drops the duplicate if the first write lands after all).
ANSWER_DEADLINE_S = 5.0
# The receiver's own cap on any wait for the store (lock, busy database, pool), well under the deadline.
RECEIVER_STORE_WAIT_S = 3.0
# Errors that mean "the store cannot take this now": answer 503 so Gusto delivers again later.
# Bodies up to this size are verified and parsed on the event loop (microseconds, no thread hand-off).
INLINE_MAX_BYTES = 64 * 1024
STORE_ERRORS: tuple[type[BaseException], ...] = (DBAPIError, PoolTimeout, StoreUnavailable)


def _json(code: int, /, **content: Any) -> Response:
    return Response(json.dumps(content), status_code=code, media_type="application/json")


class Rejected(Exception):
    """A delivery the receiver refuses; carries the status and a reason safe to log and return."""

    def __init__(self, status: int, reason: str, detail: str) -> None:
        super().__init__(f"{status} {reason}: {detail}")
        self.status, self.reason, self.detail = status, reason, detail


def _unsigned(connection: str, signature: str | None) -> Rejected:
    """The one answer to anything not signed by a known token, whether or not the connection exists."""
    return Rejected(
        401,
        "missing_signature" if not signature else "bad_signature",
        f"{SIGNATURE_HEADER} is missing or matches no verification token of connection {connection!r}; "
        "check that the subscription completed its verification handshake",
    )


class Receiver:
    """The delivery pipeline behind the routes: verify, parse, then hand the event to the group-commit writer."""

    def __init__(
        self,
        engine: Engine,
        keys: VerificationKeys,
        quarantine: HandshakeQuarantine,
        known: frozenset[str],
        limits: ReceiverLimits,
    ) -> None:
        self.engine, self.keys, self.quarantine, self.known = engine, keys, quarantine, known
        self.handshakes = RateLimiter(limits.handshakes_per_minute)
        self.writer = InboxWriter(engine)

    def check(
        self, connection: str, raw: bytes, signature: str | None, client: str | None = None
    ) -> Event | Response:
        """The event to store, or the answer to a handshake (blocking: may read or write the store)."""
        if connection in self.known and self.keys.matches(connection, raw, signature):
            doc = parse_json(raw)
            if not is_handshake(doc):
                return to_event(doc, raw)
            raise _unsigned(connection, signature)  # a signed handshake-shaped body is neither
        # Only the handshake may come unsigned (its token is the key that will sign the rest), and only
        # while `connector gusto subscribe` of this connection waits for it; anything else, including a
        # connection that does not exist, gets the same answer as a bad signature.
        try:
            doc = parse_json(raw)
        except MalformedPayload:
            doc = None
        if connection not in self.known or not is_handshake(doc) or not self.quarantine.window_open(connection):
            raise _unsigned(connection, signature)
        handshake = to_handshake(doc)
        if not self.handshakes.allow(f"connection:{connection}", f"client:{client}"):
            raise Rejected(429, "too_many_handshakes", "handshakes are rate-limited; Gusto resends on request")
        result = self.quarantine.admit(connection, handshake.verification_token, handshake.subscription_uuid)
        if result == "full":
            raise Rejected(429, "too_many_pending_handshakes", "too many unverified handshakes are waiting")
        log_event(logging.INFO, "verification_token_received", connection=connection, result=result,
                  subscription_uuid=handshake.subscription_uuid)  # fmt: skip
        return _json(200, status="verification_token_received")

    def _signed_event(self, connection: str, raw: bytes, signature: str | None) -> Event | None:
        """The hot path, on the event loop: a small event signed with a cached token (None: take the slow path)."""
        if connection not in self.known:
            return None
        if len(raw) > INLINE_MAX_BYTES or not self.keys.matches_cached(connection, raw, signature):
            return None
        doc = parse_json(raw)
        return None if is_handshake(doc) else to_event(doc, raw)

    async def deliver(
        self, connection: str, raw: bytes, signature: str | None, client: str | None = None
    ) -> Response:
        """Verify and store one delivery; answers only once the event is committed."""
        try:
            return await asyncio.wait_for(self._deliver(connection, raw, signature, client), ANSWER_DEADLINE_S)
        except TimeoutError:
            raise StoreUnavailable(f"the store did not take the delivery within {ANSWER_DEADLINE_S} s") from None

    async def _deliver(self, connection: str, raw: bytes, signature: str | None, client: str | None) -> Response:
        checked = self._signed_event(connection, raw, signature)
        if checked is None:
            slow = await run_in_threadpool(self.check, connection, raw, signature, client)
            if isinstance(slow, Response):
                return slow
            checked = slow
        # Shielded: the deadline abandons the wait, never the write already queued.
        inbox_id = await asyncio.shield(asyncio.wrap_future(self.writer.submit(connection, checked)))
        status = "stored" if inbox_id is not None else "duplicate"
        log_event(
            logging.DEBUG,
            "webhook_" + status,
            connection=connection,
            event_uuid=checked.uuid,
            event_type=checked.event_type,
        )
        return _json(200, status=status, event_uuid=checked.uuid)

    def healthy(self) -> bool:
        """True when the store answers a trivial query (blocking)."""
        try:
            with self.engine.connect() as conn:
                conn.execute(text("SELECT 1"))
        except STORE_ERRORS:
            return False
        return True


def create_app(
    engine: Engine,
    cipher: SecretCipher,
    connection_ids: set[str] | frozenset[str],
    *,
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES,
    token_ttl_s: float = 5.0,
    verified_only: bool = True,
    limits: ReceiverLimits | None = None,
) -> Starlette:
    """The receiver's ASGI app for the given connections.

    `verified_only` (the default) accepts signatures only from subscriptions marked `verified` after
    Gusto's verify call, so a stranger's handshake cannot add a signing key; with False any stored token
    that is not `removed` may sign.
    """
    known = frozenset(connection_ids)
    limits = limits or ReceiverLimits()
    subscriptions = Subscriptions(engine, cipher)
    keys = VerificationKeys(subscriptions, ttl_s=token_ttl_s, verified_only=verified_only)
    quarantine = HandshakeQuarantine(engine, cipher, ttl_s=limits.pending_token_ttl_s, cap=limits.pending_tokens)
    receiver = Receiver(engine, keys, quarantine, known, limits)

    async def gusto_webhook(request: Request) -> Response:
        connection = request.path_params["connection"]
        client = request.client.host if request.client else None
        try:
            try:
                raw = await asyncio.wait_for(read_body(request, max_body_bytes), timeout=limits.body_timeout_s)
            except BodyTooLarge as exc:
                raise Rejected(413, "body_too_large", str(exc)) from None
            except BadContentLength as exc:
                raise Rejected(400, "bad_content_length", str(exc)) from None
            except TimeoutError:
                raise Rejected(
                    408, "body_timeout", f"the body did not arrive within {limits.body_timeout_s:.0f} s"
                ) from None
            signature = request.headers.get(SIGNATURE_HEADER)
            return await receiver.deliver(connection, raw, signature, client)
        except Rejected as exc:
            log_rejection(exc.status, exc.reason, connection, client=client)
            answer = _json(exc.status, error=exc.reason, detail=exc.detail)
            if exc.status == 408:  # the rest of the body may still trickle in: close, so the slot is freed
                answer.headers["connection"] = "close"
            return answer
        except MalformedPayload as exc:
            log_rejection(400, "malformed_payload", connection, client=client, detail=str(exc))
            return _json(400, error="malformed_payload", detail=str(exc))
        except STORE_ERRORS as exc:
            log_rejection(503, "store_unavailable", connection, client=client, error=type(exc).__name__)
            return _json(503, error="store_unavailable", detail="the inbox cannot be written; deliver again later")
        except EncryptionKeyError:
            log_rejection(503, "encryption_key", connection, client=client)
            return _json(503, error="store_unavailable", detail="stored tokens cannot be decrypted; fix the key")

    async def healthz(_request: Request) -> Response:
        if await run_in_threadpool(receiver.healthy):
            return _json(200, status="ok")
        log_event(logging.WARNING, "healthz_failed", reason="store_unavailable")
        return _json(503, status="store_unavailable")

    return Starlette(
        routes=[
            Route("/webhooks/gusto/{connection}", gusto_webhook, methods=["POST"]),
            Route("/healthz", healthz, methods=["GET"]),
        ]
    )
