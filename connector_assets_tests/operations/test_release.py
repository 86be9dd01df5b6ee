"""Release in one step: materializing a held payroll's journal partition (as the UI does) posts it."""

from __future__ import annotations

import dagster as dg

from connector_assets.defs import operations as ops
from connector_assets.store.postings import HELD, POSTED
from connector_assets_tests.operations.scenario import HELD_DEPARTMENT, Deployment, bonus_payroll


def test_materializing_the_journal_partition_posts_the_released_payroll(
    deployment: Deployment, connection_id: str
) -> None:
    """Held → mapping fixed → journal partition materialized alone → the automation posts it, once, tagged."""
    payroll = deployment.held_payroll(connection_id)
    key = deployment.key(connection_id, payroll)
    with deployment.instance() as instance:
        none_yet, cursor = ops.follow_releases(instance)  # a held journal is not posted by the automation
        assert none_yet == []
        deployment.env.write_mapping(connection_id, {HELD_DEPARTMENT: deployment.open_cost_center(connection_id)})
        rebuilt = ops.materialize(instance, ["ledger", "journal_lines"], key)
        assert rebuilt.success, rebuilt.error
        assert [p.state for p in deployment.ctx.postings.for_payroll(connection_id, payroll)] == [HELD]
        (posting_run,), cursor = ops.follow_releases(instance, cursor)
        assert posting_run.success and posting_run.partition_key == key, posting_run.error
        again, cursor = ops.follow_releases(instance, cursor)
        assert again == []
        posted = bonus_payroll(deployment, connection_id)  # a payroll job posts by itself: nothing to follow
        assert deployment.run_payroll(connection_id, posted).success
        assert ops.follow_releases(instance, cursor)[0] == []
        run = instance.get_run_by_id(posting_run.run_id)
        assert run is not None and run.tags["connector/connection"] == connection_id
        assert run.tags["connector/gusto_grant"] == connection_id
        events = instance.fetch_materializations(
            dg.AssetRecordsFilter(dg.AssetKey(["cloudsuite", "journal_postings"]), asset_partitions=[key]), limit=5
        ).records
    states = [p.state for p in deployment.ctx.postings.for_payroll(connection_id, payroll)]
    assert states[-1] == POSTED and states.count(POSTED) == 1
    (materialization,) = events
    metadata = materialization.asset_materialization.metadata  # type: ignore[union-attr]
    assert metadata["state"].value == "posted" and metadata["document_id"].value
