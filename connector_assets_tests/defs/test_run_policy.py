"""Runs launched without the connection tags (the UI, automation) get them when submitted."""

from __future__ import annotations

from pathlib import Path

import dagster as dg
from dagster._core.remote_origin import RegisteredCodeLocationOrigin, RemoteJobOrigin, RemoteRepositoryOrigin
from dagster._core.run_coordinator import SubmitRunContext

from connector_assets.defs.run_policy import connection_tags


def test_connection_tags_from_either_partition_kind() -> None:
    """Payroll keys (both forms) and connection keys name their connection; other runs get no tags."""
    expected = {"connector/connection": "acme", "connector/gusto_grant": "acme"}
    assert connection_tags("acme:2026-01-30:b50e611d") == expected
    assert connection_tags("acme:b50e611d") == expected
    assert connection_tags("acme") == expected
    assert connection_tags(None) == {}


def test_coordinator_tags_an_untagged_partition_run(tmp_path: Path) -> None:
    """A run with only Dagster's partition tag is queued carrying the connection and grant tags."""
    coordinator = {"module": "connector_assets.defs.run_policy", "class": "ConnectionTaggingRunCoordinator"}
    with dg.instance_for_test(temp_dir=str(tmp_path), overrides={"run_coordinator": coordinator}) as instance:
        run = instance.add_run(
            dg.DagsterRun(
                job_name="__ASSET_JOB",
                run_id="b9d5f7a2-0000-4000-8000-000000000001",
                status=dg.DagsterRunStatus.NOT_STARTED,
                tags={"dagster/partition": "acme:2026-01-30:b50e611d", "connector/gusto_grant": "kept"},
                remote_job_origin=RemoteJobOrigin(
                    RemoteRepositoryOrigin(RegisteredCodeLocationOrigin("connector"), "__repository__"),
                    "__ASSET_JOB",
                ),
            )
        )
        queued = instance.run_coordinator.submit_run(SubmitRunContext(run, None))  # type: ignore[arg-type]
        assert queued.status == dg.DagsterRunStatus.QUEUED
        assert queued.tags["connector/connection"] == "acme"
        assert queued.tags["connector/gusto_grant"] == "kept"  # a tag the launcher set is not overwritten
