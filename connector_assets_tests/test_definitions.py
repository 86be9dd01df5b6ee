"""The Definitions object loads and carries the expected resources, assets, checks, jobs, sensors and schedules."""

from __future__ import annotations

from connector_assets.definitions import defs


def test_definitions_resolve() -> None:
    """The whole repository resolves (what `dagster definitions validate` does)."""
    repo = defs.get_repository_def()
    assert repo.name


def test_expected_resources() -> None:
    """Resources are wired by name."""
    assert {"store", "connections"} <= set(defs.resources or {})
