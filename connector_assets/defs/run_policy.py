"""Every run carries its connection's tags, however it was launched, so the per-connection limits apply.

Sensors and `connector replay` tag their runs; a run launched from the UI (a partition's Materialize
button, a backfill, declarative automation) is tagged here from its partition key when it is submitted,
before the queue reads its tags. `dagster.yaml` names `ConnectionTaggingRunCoordinator` as the coordinator.
"""

from __future__ import annotations

from collections.abc import Mapping

import dagster as dg
from dagster._core.run_coordinator import QueuedRunCoordinator, SubmitRunContext

from connector_assets.defs.partitions import SEPARATOR, split_payroll_key

CONNECTION_TAG, GRANT_TAG = "connector/connection", "connector/gusto_grant"
PARTITION_TAG = "dagster/partition"


def connection_tags(partition_key: str | None) -> dict[str, str]:
    """The connection and Gusto grant tags of a run of this partition (payroll or connection key)."""
    if not partition_key:
        return {}
    if SEPARATOR in partition_key:
        try:
            connection_id, _ = split_payroll_key(partition_key)
        except ValueError:
            return {}
    else:
        connection_id = partition_key
    return {CONNECTION_TAG: connection_id, GRANT_TAG: connection_id}


def missing_tags(tags: Mapping[str, str]) -> dict[str, str]:
    """The connection tags a run with these tags lacks."""
    return {k: v for k, v in connection_tags(tags.get(PARTITION_TAG)).items() if k not in tags}


class ConnectionTaggingRunCoordinator(QueuedRunCoordinator):
    """The queued coordinator, adding the connection and grant tags a run lacks before it is queued."""

    def submit_run(self, context: SubmitRunContext) -> dg.DagsterRun:
        run = context.dagster_run
        extra = missing_tags(run.tags)
        if extra:
            self._instance.add_run_tags(run.run_id, extra)
            run = self._instance.get_run_by_id(run.run_id) or run
            context = SubmitRunContext(run, context.workspace)
        return super().submit_run(context)
