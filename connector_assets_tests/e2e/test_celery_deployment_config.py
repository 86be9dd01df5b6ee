"""The production `dagster.yaml` loads as a Dagster instance on PostgreSQL, with the limits docs/deployment.md names."""

from __future__ import annotations

from pathlib import Path

import dagster as dg
import pytest
import yaml
from dagster._core.errors import DagsterInvalidConfigError
from dagster._core.instance.config import dagster_instance_config
from dagster._core.run_coordinator import QueuedRunCoordinator
from sqlalchemy import create_engine, event, text

from connector_assets.defs import instance_storage
from connector_assets.defs.run_policy import ConnectionTaggingRunCoordinator

REPO = Path(__file__).resolve().parents[2]
PRODUCTION_YAML = REPO / "dagster.yaml"


def _home(tmp_path: Path, text: str) -> Path:
    home = tmp_path / "dagster_home"
    home.mkdir()
    (home / "dagster.yaml").write_text(text)
    return home


def test_production_instance_config_validates_and_loads(
    tmp_path: Path, fresh_postgres_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With DAGSTER_PG_URL set the repo's dagster.yaml passes the schema and builds a working instance."""
    monkeypatch.setenv("DAGSTER_PG_URL", fresh_postgres_url)
    home = _home(tmp_path, PRODUCTION_YAML.read_text())
    config, _ = dagster_instance_config(str(home))
    limits = {
        limit["key"]: limit["limit"] for limit in config["run_coordinator"]["config"]["tag_concurrency_limits"]
    }
    assert set(limits) == {"connector/connection", "connector/gusto_grant"}
    assert limits["connector/connection"] == 1, "one posting run per connection, as the comment says"
    assert config["run_retries"]["enabled"] and config["run_monitoring"]["enabled"]
    with dg.DagsterInstance.from_config(str(home)) as instance:
        coordinator = instance.run_coordinator
        assert isinstance(coordinator, ConnectionTaggingRunCoordinator)  # queues, and tags every run's connection
        assert isinstance(coordinator, QueuedRunCoordinator)
        assert type(instance.run_storage).__name__ == "PostgresRunStorage"
        assert instance.run_retries_enabled and instance.run_monitoring_enabled
        assert instance.get_runs_count() == 0  # the schema was created in the empty database


@dg.op
def _noop() -> int:
    return 1


@dg.job
def _one_step() -> None:
    _noop()


def test_a_run_on_the_production_instance_reuses_one_connection_per_storage(
    tmp_path: Path, fresh_postgres_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every event a run stores goes through the storages' kept connections: three connects in all, not one
    per event (dagster-postgres's default outside the webserver)."""
    monkeypatch.setenv("DAGSTER_PG_URL", fresh_postgres_url)
    home = _home(tmp_path, PRODUCTION_YAML.read_text())
    with dg.DagsterInstance.from_config(str(home)) as instance:
        connects: list[str] = []
        storages = {"runs": instance.run_storage, "events": instance.event_log_storage,
                    "schedules": instance.schedule_storage}  # fmt: skip
        for name, storage in storages.items():
            event.listen(storage._engine, "connect", lambda *_, n=name: connects.append(n))  # type: ignore[union-attr]
        for _ in range(2):
            result = _one_step.execute_in_process(instance=instance)
            assert result.success
        assert len(instance.all_logs(result.run_id)) >= 8
        assert len(connects) == len(set(connects)) <= 3, connects  # at most one connect per storage


def test_a_connection_the_server_dropped_is_replaced_before_use(
    tmp_path: Path, fresh_postgres_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The server ends every kept connection (as a restart does); the next run checks, reconnects, succeeds."""
    monkeypatch.setenv("DAGSTER_PG_URL", fresh_postgres_url)
    monkeypatch.setattr(instance_storage, "IDLE_CHECK_S", 0.0)  # every connection counts as idle
    home = _home(tmp_path, PRODUCTION_YAML.read_text())
    with dg.DagsterInstance.from_config(str(home)) as instance:
        assert _one_step.execute_in_process(instance=instance).success
        server = create_engine(fresh_postgres_url, isolation_level="AUTOCOMMIT")
        with server.connect() as conn:
            ended = conn.execute(
                text("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                     "WHERE datname = current_database() AND pid <> pg_backend_pid()")
            ).scalar_one()  # fmt: skip
        server.dispose()
        assert ended >= 1
        assert _one_step.execute_in_process(instance=instance).success


def test_a_misspelt_key_in_the_instance_config_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The same validation refuses a typo, so the test above would catch a broken dagster.yaml."""
    monkeypatch.setenv("DAGSTER_PG_URL", "postgresql+psycopg2://unused@127.0.0.1:5432/unused")
    document = yaml.safe_load(PRODUCTION_YAML.read_text())
    document["run_retries"]["max_retires"] = document["run_retries"].pop("max_retries")
    home = _home(tmp_path, yaml.safe_dump(document))
    with pytest.raises(DagsterInvalidConfigError, match="max_retires"):
        dagster_instance_config(str(home))
