"""On the 1st, the month just ended is accrued (connections that accrue) and cross-checked (every one)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import dagster as dg
import yaml

from connector_assets.defs.partitions import PERIODS
from connector_assets.defs.resources import ConnectionsResource
from connector_assets.defs.schedules import accrual_monthly, crosscheck_monthly

ACCRUAL = {"enabled": True, "accrued_wages_account": "2500", "accrued_employer_cost_account": "2510"}


def _connection(cid: str, tmp_path: Path, accrual: dict[str, object] | None) -> dict[str, object]:
    posting = {"accrual": accrual} if accrual else {}
    return {"id": cid, "gusto": {"company_uuid": f"co-{cid}"}, "cloudsuite": {"ionapi_file": "x.ionapi", "erp": "syteline", "site": "MAIN",
                           "mongoose_config": "T_DALS"},
            "mapping_file": str(tmp_path / "mapping.yaml"), "posting": posting}  # fmt: skip


def test_the_month_just_ended_is_closed_per_connection(tmp_path: Path) -> None:
    document = {"connections": [_connection("acme", tmp_path, ACCRUAL), _connection("globex", tmp_path, None)]}
    (tmp_path / "connections.yaml").write_text(yaml.safe_dump(document))
    resources = {"connections": ConnectionsResource(path=str(tmp_path / "connections.yaml"))}
    with dg.instance_for_test() as instance:
        when = datetime(2026, 4, 1, 6, 30, tzinfo=UTC)
        with dg.build_schedule_context(
            instance=instance, scheduled_execution_time=when, resources=resources
        ) as ctx:
            accruals = accrual_monthly(ctx)
        with dg.build_schedule_context(
            instance=instance, scheduled_execution_time=when, resources=resources
        ) as ctx:
            checks = crosscheck_monthly(ctx)
        assert [r.partition_key for r in accruals] == ["acme:2026-03"]  # globex does not accrue
        assert [r.partition_key for r in checks] == ["acme:2026-03", "globex:2026-03"]
        assert set(instance.get_dynamic_partitions(PERIODS)) == {"acme:2026-03", "globex:2026-03"}
