"""The dev instance's SQLite storage: Dagster's files and layout, connections kept open, run files from a template."""

import sqlite3
import threading
from pathlib import Path

import dagster as dg
import pytest
import yaml

from connector_assets.defs.instance_storage_sqlite import OPEN_RUN_FILES, PooledSqliteStorage
from connector_assets.demo.homes import instance_home


@dg.asset
def counted(context: dg.AssetExecutionContext) -> dg.MaterializeResult:
    context.log.info("counted once")
    return dg.MaterializeResult(metadata={"rows": 3})


@dg.asset_check(asset=counted)
def counted_is_positive() -> dg.AssetCheckResult:
    return dg.AssetCheckResult(passed=True)


def _home(tmp_path: Path, pooled: bool) -> Path:
    storage = (
        {"custom": {"module": "connector_assets.defs.instance_storage_sqlite", "class": "PooledSqliteStorage",
                    "config": {"base_dir": str(tmp_path / "storage")}}}
        if pooled
        else {"sqlite": {"base_dir": str(tmp_path / "storage")}}
    )  # fmt: skip
    (tmp_path / "dagster.yaml").write_text(yaml.safe_dump({"storage": storage, "telemetry": {"enabled": False}}))
    return tmp_path


def _materialize(instance: dg.DagsterInstance) -> str:
    result = dg.materialize([counted, counted_is_positive], instance=instance)
    assert result.success
    return result.run_id


def test_the_dev_instance_uses_the_pooled_storage(tmp_path: Path) -> None:
    with dg.DagsterInstance.from_config(str(instance_home(tmp_path))) as instance:
        assert isinstance(instance.get_ref().storage, PooledSqliteStorage)
        _materialize(instance)
        assert instance.get_latest_materialization_event(dg.AssetKey("counted")) is not None


def test_runs_events_and_checks_read_back_with_dagsters_own_sqlite_storage(tmp_path: Path) -> None:
    with dg.DagsterInstance.from_config(str(_home(tmp_path, pooled=True))) as pooled:
        run_id = _materialize(pooled)
    with dg.DagsterInstance.from_config(str(_home(tmp_path, pooled=False))) as plain:
        run = plain.get_run_by_id(run_id)
        assert run is not None and run.is_success
        logs = [e.user_message for e in plain.all_logs(run_id)]
        assert "counted once" in logs
        record = plain.get_latest_materialization_event(dg.AssetKey("counted"))
        assert record is not None and record.run_id == run_id
        check = plain.event_log_storage.get_latest_asset_check_execution_by_key(
            [dg.AssetCheckKey(dg.AssetKey("counted"), "counted_is_positive")]
        )
        assert len(check) == 1
        second = _materialize(plain)  # Dagster's own class writes a run of its own beside them
    with dg.DagsterInstance.from_config(str(_home(tmp_path, pooled=True))) as pooled:
        assert {r.run_id for r in pooled.get_runs()} == {run_id, second}
        assert "counted once" in [e.user_message for e in pooled.all_logs(second)]


def test_a_run_file_is_a_copy_of_an_initialized_template(tmp_path: Path) -> None:
    with dg.DagsterInstance.from_config(str(_home(tmp_path, pooled=True))) as instance:
        first, second = _materialize(instance), _materialize(instance)
    runs = tmp_path / "storage" / "history" / "runs"
    templates = list(runs.glob(".run-template-*.sqlite"))
    assert len(templates) == 1
    template = sqlite3.connect(templates[0])
    head = template.execute("SELECT version_num FROM alembic_version").fetchall()
    template.close()
    for run_id in (first, second):
        db = sqlite3.connect(runs / f"{run_id}.db")
        try:
            assert db.execute("PRAGMA journal_mode").fetchone() == ("wal",)
            assert db.execute("SELECT version_num FROM alembic_version").fetchall() == head
            assert db.execute("SELECT COUNT(*) FROM event_logs").fetchone()[0] > 5
        finally:
            db.close()
    # The template is no run: Dagster lists the runs' files by their `.db` suffix.
    assert not list(runs.glob("*.tmp"))


def test_only_a_few_run_files_stay_open(tmp_path: Path) -> None:
    with dg.DagsterInstance.from_config(str(_home(tmp_path, pooled=True))) as instance:
        run_ids = [_materialize(instance) for _ in range(OPEN_RUN_FILES + 3)]
        storage = instance.event_log_storage
        assert len(storage._engines) == OPEN_RUN_FILES + 1  # type: ignore[attr-defined]
        assert "index" in storage._engines  # type: ignore[attr-defined]
        # A closed run's file opens again when it is read.
        assert "counted once" in [e.user_message for e in instance.all_logs(run_ids[0])]


def test_threads_write_events_of_several_runs_at_once(tmp_path: Path) -> None:
    # As the daemon's sensor threads and the webserver do (Dagster's in-process runs are not run from threads:
    # each sets up logging, which can deadlock with another run's log handler on either storage class).
    with dg.DagsterInstance.from_config(str(_home(tmp_path, pooled=True))) as instance:
        runs = [instance.get_run_by_id(_materialize(instance)) for _ in range(4)]
        failures: list[BaseException] = []

        def work(run: dg.DagsterRun) -> None:
            try:
                for n in range(25):
                    instance.report_engine_event(f"note {n}", run)
                    instance.report_runless_asset_event(dg.AssetMaterialization("noted", metadata={"n": n}))
            except BaseException as error:  # reported below, on the test's thread
                failures.append(error)

        threads = [threading.Thread(target=work, args=(run,)) for run in runs]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert failures == []
        for run in runs:
            assert sum(e.message.startswith("note ") for e in instance.all_logs(run.run_id)) == 25
        noted = instance.fetch_materializations(dg.AssetKey("noted"), limit=200).records
        assert len(noted) == 100


def test_wiping_the_instance_closes_the_files_it_removes(tmp_path: Path) -> None:
    with dg.DagsterInstance.from_config(str(_home(tmp_path, pooled=True))) as instance:
        run_id = _materialize(instance)
        instance.wipe()
        assert not (tmp_path / "storage" / "history" / "runs" / f"{run_id}.db").exists()
        assert instance.get_runs() == []
        new = _materialize(instance)
        assert instance.get_run_by_id(new) is not None


@pytest.mark.parametrize("missing", ["schedules", "history"])
def test_a_home_without_files_is_created_in_dagsters_layout(tmp_path: Path, missing: str) -> None:
    PooledSqliteStorage(str(tmp_path / "storage")).dispose()
    assert (tmp_path / "storage" / missing).is_dir()
