"""Read a request body with a size cap, refusing early when the declared length is already too large."""

from __future__ import annotations

from starlette.requests import Request

DEFAULT_MAX_BODY_BYTES = 1024 * 1024


class BodyTooLarge(ValueError):
    """The body exceeds the receiver's limit (answered 413)."""


class BadContentLength(ValueError):
    """The Content-Length header is not a non-negative integer (answered 400)."""


async def read_body(request: Request, limit: int) -> bytes:
    """The raw body bytes; stops reading as soon as more than `limit` bytes have come."""
    declared = request.headers.get("content-length")
    if declared is not None:
        if not declared.strip().isdigit():
            raise BadContentLength(f"Content-Length {declared[:20]!r} is not a non-negative integer")
        if int(declared) > limit:
            raise BodyTooLarge(f"declared body of {declared} bytes exceeds the {limit}-byte limit")
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            raise BodyTooLarge(f"body exceeds the {limit}-byte limit")
    return bytes(body)
