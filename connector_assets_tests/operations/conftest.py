"""Fixtures of the operator commands: one small deployment per module, one connection per test."""

from __future__ import annotations

import itertools
import os
from collections.abc import Iterator

import pytest

from connector_assets_tests.operations.scenario import Deployment, reload_definitions

_ids = itertools.count(1)


@pytest.fixture(scope="module")
def deployment(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Deployment]:
    """Simulators, SQLite store and a Dagster home; the process environment is restored afterwards."""
    saved = dict(os.environ)
    deployed = Deployment.create(tmp_path_factory.mktemp("operations"))
    try:
        yield deployed
    finally:
        deployed.close()
        os.environ.clear()
        os.environ.update(saved)
        reload_definitions()


@pytest.fixture
def connection_id(deployment: Deployment) -> str:
    """A fresh connection (its own simulators and grant) for one test."""
    cid = f"ops-{next(_ids)}"
    deployment.add_tenant(cid)
    return cid
