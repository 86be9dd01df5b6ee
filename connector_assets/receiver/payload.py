"""What Gusto POSTs to the receiver: a verification handshake or a thin event (gusto-api.md §10.2, §10.4)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

# Column widths of `webhook_inbox`: longer values are refused up front rather than failing in the database.
MAX_UUID = 64
MAX_EVENT_TYPE = 128
MAX_ENTITY_TYPE = 64
MAX_TOKEN = 256
# Gusto's doc says `uuid` is the only required field; an event without a type is still kept (and ignored later).
UNKNOWN_EVENT_TYPE = "unknown"


class MalformedPayload(ValueError):
    """The body is not a Gusto webhook delivery; the message says which field is wrong (never its secret value)."""


@dataclass(frozen=True)
class Handshake:
    """The first POST after a subscription is created: carries the token that is also the HMAC key."""

    verification_token: str = field(repr=False)
    subscription_uuid: str | None = None


@dataclass(frozen=True)
class Event:
    """A webhook event mapped onto the inbox columns; the raw body is kept as received."""

    uuid: str
    event_type: str
    entity_type: str | None
    entity_uuid: str | None
    body: str


def parse_json(raw: bytes) -> Any:
    """The decoded JSON document, or MalformedPayload."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise MalformedPayload("body is not UTF-8 text; Gusto sends JSON") from None
    if "\x00" in text:
        # PostgreSQL text cannot hold NUL; JSON never needs a raw one.
        raise MalformedPayload("body contains a NUL character; Gusto sends JSON") from None
    try:
        return json.loads(text)
    except (ValueError, RecursionError):  # ValueError also covers over-long integer literals
        raise MalformedPayload("body is not valid JSON") from None


def _storable(key: str, text: str, limit: int) -> str:
    if len(text) > limit:
        raise MalformedPayload(f"field {key!r} is longer than {limit} characters")
    # JSON escapes can smuggle in what no database column takes: NUL and lone surrogates.
    if "\x00" in text:
        raise MalformedPayload(f"field {key!r} contains a NUL character")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise MalformedPayload(f"field {key!r} is not valid Unicode text") from None
    return text


def _optional_text(doc: dict[str, Any], key: str, limit: int) -> str | None:
    value = doc.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise MalformedPayload(f"field {key!r} must be a string")
    return _storable(key, str(value), limit) or None


def is_handshake(doc: Any) -> bool:
    """A handshake carries a verification token and no event uuid."""
    return isinstance(doc, dict) and "verification_token" in doc and "uuid" not in doc


def to_handshake(doc: dict[str, Any]) -> Handshake:
    """Validate a handshake document."""
    token = doc.get("verification_token")
    if not isinstance(token, str) or not token.strip():
        raise MalformedPayload("field 'verification_token' must be a non-empty string")
    _storable("verification_token", token, MAX_TOKEN)
    # The subscription uuid is not documented in the handshake body (UNVERIFIED); use it when present.
    subscription = _optional_text(doc, "webhook_subscription_uuid", MAX_UUID)
    return Handshake(verification_token=token.strip(), subscription_uuid=subscription)


def to_event(doc: Any, raw: bytes) -> Event:
    """Validate an event document and map it onto the inbox columns."""
    if not isinstance(doc, dict):
        raise MalformedPayload("body must be a JSON object (a Gusto event)")
    uuid = doc.get("uuid")
    if not isinstance(uuid, str) or not uuid.strip():
        raise MalformedPayload("field 'uuid' (the event id) is required and must be a non-empty string")
    return Event(
        uuid=_storable("uuid", uuid.strip(), MAX_UUID),
        event_type=_optional_text(doc, "event_type", MAX_EVENT_TYPE) or UNKNOWN_EVENT_TYPE,
        entity_type=_optional_text(doc, "entity_type", MAX_ENTITY_TYPE),
        entity_uuid=_optional_text(doc, "entity_uuid", MAX_UUID),
        body=raw.decode("utf-8"),
    )
