"""The preloaded run launcher: a run forked from its forkserver executes to the end and records its outcome."""

import time
from collections.abc import Callable
from pathlib import Path

import dagster as dg
from dagster._core.launcher import LaunchRunContext

from connector_assets.defs.run_launcher import PID_TAG, PreloadedRunLauncher
from connector_assets.demo.homes import instance_home

LAUNCHER = {"module": "connector_assets.defs.run_launcher", "class": "PreloadedRunLauncher"}
DEADLINE_S = 240.0


@dg.op(config_schema={"marker": str, "fail": bool})
def write_marker(context: dg.OpExecutionContext) -> None:
    if context.op_config["fail"]:
        raise RuntimeError("asked to fail")
    Path(context.op_config["marker"]).write_text("ran")


@dg.job
def marker_job() -> None:
    write_marker()


@dg.op(config_schema={"marker": str})
def wait_until_stopped(context: dg.OpExecutionContext) -> None:
    Path(context.op_config["marker"]).write_text("started")
    deadline = time.monotonic() + DEADLINE_S
    while time.monotonic() < deadline:  # a long step; only a termination ends it early
        time.sleep(0.1)


@dg.job
def long_job() -> None:
    wait_until_stopped()


def _launch(instance: dg.DagsterInstance, job: dg.JobDefinition, op: str, config: dict[str, object]) -> str:
    recon = dg.reconstructable(marker_job if job is marker_job else long_job)
    run = instance.create_run_for_job(
        job_def=job, run_config={"ops": {op: {"config": config}}}, job_code_origin=recon.get_python_origin()
    )
    instance.run_launcher.launch_run(LaunchRunContext(dagster_run=run, workspace=None))  # type: ignore[arg-type]
    return run.run_id


def _wait_for(instance: dg.DagsterInstance, run_id: str, done: Callable[[dg.DagsterRun], bool]) -> dg.DagsterRun:
    deadline = time.monotonic() + DEADLINE_S
    while time.monotonic() < deadline:
        current = instance.get_run_by_id(run_id)
        assert current is not None
        if done(current):
            return current
        time.sleep(0.2)  # polling the run's status against a deadline
    raise AssertionError(f"run {run_id} not in the awaited state after {DEADLINE_S:.0f}s")


def _launch_and_wait(instance: dg.DagsterInstance, marker: Path, *, fail: bool) -> dg.DagsterRun:
    run_id = _launch(instance, marker_job, "write_marker", {"marker": str(marker), "fail": fail})
    return _wait_for(instance, run_id, lambda run: run.is_finished)


def test_a_forked_run_succeeds_or_fails_as_its_steps_do(tmp_path: Path) -> None:
    """The run's op runs in the forked process (its marker is written); a failing op fails the run."""
    with dg.instance_for_test(temp_dir=str(tmp_path), overrides={"run_launcher": LAUNCHER}) as instance:
        ok = _launch_and_wait(instance, tmp_path / "ok.txt", fail=False)
        assert ok.status == dg.DagsterRunStatus.SUCCESS
        assert (tmp_path / "ok.txt").read_text() == "ran"
        assert ok.tags[PID_TAG].isdigit()
        failed = _launch_and_wait(instance, tmp_path / "failed.txt", fail=True)
        assert failed.status == dg.DagsterRunStatus.FAILURE
        assert not (tmp_path / "failed.txt").exists()


def test_the_dev_instance_forks_its_runs(tmp_path: Path) -> None:
    """`connector dev`'s instance launches runs with the preloaded launcher, and a forked run succeeds."""
    home = instance_home(tmp_path)
    with dg.DagsterInstance.from_config(str(home)) as instance:
        assert isinstance(instance.run_launcher, PreloadedRunLauncher)
        ok = _launch_and_wait(instance, tmp_path / "dev.txt", fail=False)
        assert ok.status == dg.DagsterRunStatus.SUCCESS
        assert (tmp_path / "dev.txt").read_text() == "ran"


def test_a_forked_run_can_be_terminated(tmp_path: Path) -> None:
    """Terminating a forked run (the UI's Terminate) stops its step and records the run as canceled."""
    with dg.DagsterInstance.from_config(str(instance_home(tmp_path))) as instance:
        marker = tmp_path / "long.txt"
        run_id = _launch(instance, long_job, "wait_until_stopped", {"marker": str(marker)})
        _wait_for(instance, run_id, lambda run: run.status == dg.DagsterRunStatus.STARTED and marker.exists())
        assert instance.run_launcher.terminate(run_id)
        stopped = _wait_for(instance, run_id, lambda run: run.is_finished)
        assert stopped.status == dg.DagsterRunStatus.CANCELED
