"""End-to-end fixtures: one deployment on PostgreSQL (store and Dagster storage) shared by the session.

Tests that change a connection's data get a connection of their own, so tests stay independent and can
run in any order; the deployment itself (databases, instance, connections file) is shared.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import dagster as dg
import pytest

from connector_assets.demo.environment import SandboxEnvironment
from connector_assets.store.crypto import SecretCipher
from connector_assets_tests.e2e.deployment import Deployment, reload_definitions, write_dagster_home
from connector_assets_tests.fixtures.database import _create_database

ERPS = ["m3", "syteline"]


@pytest.fixture(scope="session")
def e2e_store_url() -> Iterator[str]:
    """A fresh PostgreSQL database for the connector store of the end-to-end tests."""
    yield from _create_database("connector_e2e_store")


@pytest.fixture(scope="session")
def e2e_dagster_url() -> Iterator[str]:
    """A fresh PostgreSQL database for Dagster's run, event-log and schedule storage."""
    yield from _create_database("connector_e2e_dagster")


@pytest.fixture(scope="session")
def deployment(
    e2e_store_url: str, e2e_dagster_url: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Deployment]:
    """Simulators, store and Dagster instance on PostgreSQL; connections are added by the tests' fixtures."""
    root = tmp_path_factory.mktemp("e2e")
    home = write_dagster_home(root / "dagster_home", e2e_dagster_url)
    saved = dict(os.environ)  # add_tenant exports the connection's variables; undone at the end
    env = SandboxEnvironment(root / "work", e2e_store_url, SecretCipher.generate_key())
    os.environ["DAGSTER_HOME"] = str(home)
    env.apply_env()
    try:
        with dg.DagsterInstance.from_config(str(home)) as instance:
            deployed = Deployment(env, instance, home)
            try:
                yield deployed
            finally:
                deployed.close()
    finally:
        os.environ.clear()
        os.environ.update(saved)
    reload_definitions()


# A month of history on one ERP covers both pay schedules; the other ERP gets the short history (a regular
# and an off-cycle run) to keep the suite fast: the posting path above the adapter is the same.
HISTORY_MONTHS = {"m3": 1, "syteline": 0}


@pytest.fixture(scope="session", params=ERPS)
def posted_connection(request: pytest.FixtureRequest, deployment: Deployment) -> str:
    """A connection (per ERP) whose payroll history has been posted; tests must not change its data."""
    connection_id = f"posted-{request.param}"
    deployment.add_tenant(connection_id, request.param, history_months=HISTORY_MONTHS[request.param])
    failed = [o for o in deployment.onboard(connection_id) if not o.success]
    assert not failed, f"onboarding {connection_id}: {[(o.partition_key, o.error) for o in failed]}"
    return connection_id
