"""The Gusto webhook receiver (ASGI): signed events into the store's inbox, acknowledged only once stored."""

from connector_assets.receiver.app import create_app
from connector_assets.receiver.body import DEFAULT_MAX_BODY_BYTES

__all__ = ["DEFAULT_MAX_BODY_BYTES", "create_app"]
