"""Fixtures shared by every test room; the simulators' fixtures live in connector_assets_tests/fixtures/.

The suite runs on a pinned calendar day: `CONNECTOR_TODAY` is set here, before any product module is
imported, so the connector, the sandbox, its generated history and every subprocess a test starts (they
inherit the environment) agree on the date, whatever day the suite runs. Export another
`CONNECTOR_TODAY` to run the suite on that day instead.
"""

from __future__ import annotations

import os
from datetime import date

import pytest

PINNED_TODAY = "2026-03-15"
os.environ.setdefault("CONNECTOR_TODAY", PINNED_TODAY)

pytest_plugins = [
    "connector_assets_tests.fixtures.database",
    "connector_assets_tests.fixtures.gusto_sandbox",
    "connector_assets_tests.fixtures.ion_sandbox",
]


@pytest.fixture(scope="session")
def pinned_today() -> date:
    """The suite's calendar day (`CONNECTOR_TODAY`)."""
    return date.fromisoformat(os.environ["CONNECTOR_TODAY"])
