"""Webhook signature verification: `X-Gusto-Signature` is the hex HMAC-SHA256 of the raw body."""

from __future__ import annotations

import hashlib
import hmac

SIGNATURE_HEADER = "X-Gusto-Signature"


def sign(raw_body: bytes, token: str) -> str:
    """The signature Gusto computes for `raw_body` with a subscription's verification token."""
    return hmac.new(token.encode(), raw_body, hashlib.sha256).hexdigest()


def verify_signature(raw_body: bytes, header: str | None, token: str) -> bool:
    """True only when `header` is the body's signature under `token`; constant-time comparison."""
    if not header or not token:
        return False
    return hmac.compare_digest(sign(raw_body, token).encode(), header.strip().lower().encode("ascii", "replace"))
