"""HTTP clients of the connector (Gusto, ION): one TLS context per process, shared by every client.

``httpx.Client()`` builds a fresh SSL context and loads the whole certificate bundle each time (0.1-0.6 s);
a run opens several clients, so the context is built once and reused. Verification is unchanged.
"""

from __future__ import annotations

import functools
import ssl

import httpx


@functools.cache
def tls_context() -> ssl.SSLContext:
    """The process's verifying TLS context (certificate bundle loaded once)."""
    return httpx.create_ssl_context()


def new_client(timeout: httpx.Timeout | float | None) -> httpx.Client:
    """An ``httpx.Client`` with the shared TLS context."""
    return httpx.Client(timeout=timeout, verify=tls_context())
