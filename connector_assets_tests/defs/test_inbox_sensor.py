"""The inbox sensor, driven with `dg.build_sensor_context`: cursor, routing, run keys, partitions, limits."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from types import SimpleNamespace

import dagster as dg
import pytest
from dagster._core.scheduler.instigation import SensorInstigatorData
from dagster._daemon.sensor import MIN_INTERVAL_LOOP_TIME, is_under_min_interval
from sqlalchemy import Engine, event

from connector_assets.defs.partitions import payroll_key
from connector_assets.defs.resources import ConnectionsResource, GustoResource, StoreResource
from connector_assets.defs.sensors import (
    MAX_RUN_KEY,
    RUN_KEY_TAG,
    InboxCursor,
    evaluate_inbox,
    gusto_inbox_sensor,
    take_batch,
)
from connector_assets.store.inbox import DISPATCHED, IGNORED, PENDING
from connector_assets_tests.defs.inbox_events import add_event, store_for

PAYROLL_A = "b50e611d-8f3d-4f24-b001-46675f7b5777"
PAYROLL_B = "0a6e0c3e-1d3b-4b8e-9d6f-2f1f4c1b9a10"
EMPLOYEE = "9c1e7a40-6c5b-4f2a-8d3e-1b2c3d4e5f60"


def tick(store: StoreResource, instance: dg.DagsterInstance, cursor: str | None = None) -> dg.SensorResult:
    # No connections file: Gusto cannot be asked for check dates, so webhook-only payrolls get dateless keys.
    gusto = GustoResource(store=store, connections=ConnectionsResource(path="/nonexistent/connections.yaml"))
    with dg.build_sensor_context(
        instance=instance, cursor=cursor, resources={"store": store, "gusto": gusto}
    ) as context:
        result = gusto_inbox_sensor(context)
    assert isinstance(result, dg.SensorResult)
    return result


def requests(result: dg.SensorResult) -> list[dg.RunRequest]:
    return list(result.run_requests or [])


def states(store: StoreResource) -> dict[int, tuple[str, str | None]]:
    return {e.id: (e.state, e.run_id) for e in store.inbox.after(0, limit=1000)}


@dg.op
def _noop() -> None:
    pass


@dg.job
def _launched_job() -> None:
    _noop()


def launch(instance: dg.DagsterInstance, key: str) -> None:
    """Record a run with this run key, as the daemon does when it launches a sensor's request."""
    _launched_job.execute_in_process(instance=instance, tags={RUN_KEY_TAG: key})


def test_cursor_advances_to_last_inbox_id(store: StoreResource, instance: dg.DagsterInstance) -> None:
    """The saved cursor names the last inbox id read, and the next tick starts after it."""
    add_event(store, "payroll.processed", PAYROLL_A)
    last = add_event(store, "employee.created", EMPLOYEE)
    first = tick(store, instance)
    assert InboxCursor.parse(first.cursor).last_id == last
    assert requests(tick(store, instance, first.cursor)) == []


def test_cursor_of_a_replaced_store_starts_over(store: StoreResource, instance: dg.DagsterInstance) -> None:
    """A cursor saved against another store (a fresh sandbox, a restored backup) does not skip this one's rows."""
    add_event(store, "payroll.processed", PAYROLL_A)
    stale = InboxCursor(last_id=10_000, store_epoch="an-earlier-store").dump()
    assert [r.partition_key for r in requests(tick(store, instance, stale))] == [f"acme:{PAYROLL_A}"]


@pytest.mark.parametrize("raw", ["not json", "[]", '{"last_id": "7"}', '{"last_id": -3}', '{"other": 1}', "null"])
def test_corrupt_cursor_starts_from_the_beginning(raw: str) -> None:
    """A cursor that is not the sensor's JSON is read as a fresh start instead of failing every tick."""
    assert InboxCursor.parse(raw) == InboxCursor()


def test_corrupt_cursor_tick_still_dispatches(store: StoreResource, instance: dg.DagsterInstance) -> None:
    """A tick with a corrupt cursor reads the inbox from the start and still asks for the run."""
    add_event(store, "payroll.processed", PAYROLL_A)
    result = tick(store, instance, "{{{")
    assert [r.partition_key for r in requests(result)] == [f"acme:{PAYROLL_A}"]
    assert json.loads(result.cursor or "")["last_id"] >= 1


def test_one_run_per_payroll_partition_duplicates_coalesce(
    store: StoreResource, instance: dg.DagsterInstance
) -> None:
    """Several events of one payroll in one tick make one run; each payroll gets its own keyed run."""
    add_event(store, "payroll.processed", PAYROLL_A)
    add_event(store, "payroll.paid", PAYROLL_A)
    add_event(store, "payroll.processed", PAYROLL_A, source="poll")
    add_event(store, "payroll.processed", PAYROLL_B)
    runs = requests(tick(store, instance))
    assert sorted((r.job_name, r.partition_key) for r in runs) == sorted(
        [("payroll_job", f"acme:{PAYROLL_A}"), ("payroll_job", f"acme:{PAYROLL_B}")]
    )
    assert all(r.run_key and r.tags["connector/connection"] == "acme" for r in runs)
    assert len({r.run_key for r in runs}) == 2


def test_payrolls_arriving_together_are_planned_in_one_tick_each_in_its_partition(
    store: StoreResource, instance: dg.DagsterInstance
) -> None:
    """Payrolls of two connections arriving together: one tick plans one run per payroll, each on the payroll's
    own partition (with its check date) and connection, and requests the new partitions with them."""
    add_event(store, "payroll.processed", PAYROLL_A, source="poll", check_date="2026-02-13")
    add_event(store, "payroll.processed", PAYROLL_B, source="poll", check_date="2026-02-13")
    add_event(store, "payroll.processed", PAYROLL_A, connection="globex", source="poll", check_date="2026-02-20")
    result = tick(store, instance)
    planned = sorted((r.job_name, r.partition_key, r.tags["connector/connection"]) for r in requests(result))
    keys = {
        "acme_a": payroll_key("acme", PAYROLL_A, "2026-02-13"),
        "acme_b": payroll_key("acme", PAYROLL_B, "2026-02-13"),
        "globex_a": payroll_key("globex", PAYROLL_A, "2026-02-20"),
    }
    assert planned == sorted(
        [
            ("payroll_job", keys["acme_a"], "acme"),
            ("payroll_job", keys["acme_b"], "acme"),
            ("payroll_job", keys["globex_a"], "globex"),
        ]
    )
    added = [
        (r.partitions_def_name, sorted(r.partition_keys))
        for r in result.dynamic_partitions_requests or []
        if isinstance(r, dg.AddDynamicPartitionsRequest)
    ]
    assert ("payrolls", sorted(keys.values())) in added
    assert requests(tick(store, instance, result.cursor)) == []


def test_the_sensor_ticks_on_every_wake_up_of_the_daemon() -> None:
    """Dagster's sensor daemon wakes every few seconds and skips a sensor whose last tick began less than its
    interval ago; a tick that began just after the previous wake-up must not be skipped."""
    since_last_tick = MIN_INTERVAL_LOOP_TIME - 0.05
    state = SimpleNamespace(
        instigator_data=SensorInstigatorData(last_tick_start_timestamp=time.time() - since_last_tick)
    )
    sensor = SimpleNamespace(min_interval_seconds=gusto_inbox_sensor.minimum_interval_seconds)
    assert not is_under_min_interval(state, sensor)  # type: ignore[arg-type]


def test_an_idle_tick_reads_the_store_a_fixed_number_of_times(
    store: StoreResource, instance: dg.DagsterInstance
) -> None:
    """An idle tick (every 5 s) asks nothing and costs the same few store queries for 1 or 40 connections."""

    def idle_tick_queries(cursor: str | None) -> tuple[int, str | None]:
        statements: list[str] = []

        def count(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
            if not statement.startswith("BEGIN"):  # the SQLite engine opens its transactions explicitly
                statements.append(statement)

        event.listen(store.engine, "before_cursor_execute", count)
        try:
            result = tick(store, instance, cursor)
        finally:
            event.remove(store.engine, "before_cursor_execute", count)
        assert result.skip_reason and not requests(result)
        return len(statements), result.cursor

    instance.add_dynamic_partitions("connections", ["acme"])
    _, cursor = idle_tick_queries(None)  # the first tick also records the grants as usable
    one, cursor = idle_tick_queries(cursor)
    instance.add_dynamic_partitions("connections", [f"tenant{n:02d}" for n in range(39)])
    _, cursor = idle_tick_queries(cursor)
    forty, _ = idle_tick_queries(cursor)
    assert one == forty <= 4  # store epoch, inbox page, grants needing attention, grants reported


def test_dynamic_partitions_requested_once(store: StoreResource, instance: dg.DagsterInstance) -> None:
    """New payroll and connection partitions are requested; ones the instance has are not."""
    add_event(store, "payroll.processed", PAYROLL_A)
    result = tick(store, instance)
    added = {
        (r.partitions_def_name, key)
        for r in result.dynamic_partitions_requests or []
        if isinstance(r, dg.AddDynamicPartitionsRequest)
        for key in r.partition_keys
    }
    assert added == {("payrolls", f"acme:{PAYROLL_A}"), ("connections", "acme")}
    instance.add_dynamic_partitions("payrolls", [f"acme:{PAYROLL_A}"])
    instance.add_dynamic_partitions("connections", ["acme"])
    add_event(store, "payroll.paid", PAYROLL_A)
    assert not tick(store, instance, result.cursor).dynamic_partitions_requests


def test_workforce_events_coalesce_per_connection(store: StoreResource, instance: dg.DagsterInstance) -> None:
    """Employee and job-compensation events make one workforce run per connection."""
    add_event(store, "employee.created", EMPLOYEE)
    add_event(store, "employee_job_compensation.updated", EMPLOYEE)
    add_event(store, "employee.terminated", EMPLOYEE)
    add_event(store, "employee.updated", EMPLOYEE, connection="globex")
    runs = requests(tick(store, instance))
    assert sorted((r.job_name, r.partition_key) for r in runs) == [
        ("workforce_job", "acme"),
        ("workforce_job", "globex"),
    ]


def test_unknown_and_contractor_events_marked_ignored(store: StoreResource, instance: dg.DagsterInstance) -> None:
    """Contractor, bank-account, company and payroll events without an entity start nothing and are marked."""
    ids = [
        add_event(store, "contractor_payment.paid", "c-1"),
        add_event(store, "contractor.created", "c-2"),
        add_event(store, "employee.bank_account.created", EMPLOYEE),
        add_event(store, "company.updated", "co-1"),
        add_event(store, "payroll.processed", None),
    ]
    assert requests(tick(store, instance)) == []
    assert {i: states(store)[i or 0][0] for i in ids} == dict.fromkeys(ids, IGNORED)


def test_inbox_rows_marked_with_their_run_key(store: StoreResource, instance: dg.DagsterInstance) -> None:
    """Every dispatched row records the run key of the run it started."""
    a1 = add_event(store, "payroll.processed", PAYROLL_A)
    e1 = add_event(store, "employee.created", EMPLOYEE)
    a2 = add_event(store, "payroll.paid", PAYROLL_A)
    keys = {r.job_name: r.run_key for r in requests(tick(store, instance))}
    rows = states(store)
    assert rows[a1 or 0] == rows[a2 or 0] == (DISPATCHED, keys["payroll_job"])
    assert rows[e1 or 0] == (DISPATCHED, keys["workforce_job"])


def test_same_event_never_gets_a_second_run_key(store: StoreResource, instance: dg.DagsterInstance) -> None:
    """Re-reading an event (cursor lost) asks again under its first key until that run exists, then not at all."""
    add_event(store, "payroll.processed", PAYROLL_A)
    (first,) = requests(tick(store, instance))
    (again,) = requests(tick(store, instance, None))
    assert again.run_key == first.run_key
    launch(instance, first.run_key or "")
    assert requests(tick(store, instance, None)) == []
    add_event(store, "payroll.reversed", PAYROLL_A)
    (later,) = requests(tick(store, instance, None))
    assert later.run_key != first.run_key
    assert later.partition_key == first.partition_key


def test_row_limit_leaves_the_rest_for_the_next_tick(store: StoreResource, instance: dg.DagsterInstance) -> None:
    """A tick reads at most `row_limit` rows; the next one continues where it stopped."""
    ids = [add_event(store, "payroll.processed", f"payroll-{n}") for n in range(7)]
    first = evaluate_inbox(store, instance, InboxCursor(), row_limit=3)
    assert (first.events, first.cursor.last_id) == (3, ids[2])
    second = evaluate_inbox(store, instance, first.cursor, row_limit=3)
    assert (second.events, second.cursor.last_id) == (3, ids[5])
    assert [s for s, _ in states(store).values()].count(PENDING) == 1


def test_time_budget_stops_between_pages(store: StoreResource) -> None:
    """Once the budget is spent no further page is read, and the cursor stays on the last row read."""
    ids = [add_event(store, "payroll.processed", f"payroll-{n}") for n in range(6)]
    readings: Iterator[float] = iter([0.0, 0.0, 5.0, 30.0, 30.0])
    cursor = InboxCursor()
    events = take_batch(store, cursor, budget_s=20.0, clock=lambda: next(readings), page_rows=2)
    assert [e.id for e in events] == ids[:4]
    assert cursor.last_id == ids[3]


def test_long_keys_fit_the_inbox_on_both_backends(store_engine: Engine, instance: dg.DagsterInstance) -> None:
    """A 40-character connection id still gives run keys the inbox can store (PostgreSQL enforces the width)."""
    store = store_for(store_engine)
    connection = "c" * 40
    add_event(store, "payroll.processed", PAYROLL_A, connection=connection)
    add_event(store, "employee.created", EMPLOYEE, connection=connection)
    runs = requests(tick(store, instance))
    assert len(runs) == 2 and all(len(r.run_key or "") <= MAX_RUN_KEY for r in runs)
    assert {run_id for _, run_id in states(store).values()} == {r.run_key for r in runs}


def test_payroll_keys_carry_the_check_date_and_never_change(
    store: StoreResource, instance: dg.DagsterInstance
) -> None:
    """A polled payroll's key sorts by its check date; a payroll that already has a key keeps it."""
    add_event(store, "payroll.processed", PAYROLL_A, source="poll", check_date="2026-02-27")
    add_event(store, "payroll.processed", PAYROLL_B, source="poll", check_date="2026-01-30")
    first = tick(store, instance)
    keys = sorted(str(r.partition_key) for r in requests(first))
    assert keys == [payroll_key("acme", PAYROLL_B, "2026-01-30"), payroll_key("acme", PAYROLL_A, "2026-02-27")]
    assert keys == ["acme:2026-01-30:" + PAYROLL_B, "acme:2026-02-27:" + PAYROLL_A]
    instance.add_dynamic_partitions("payrolls", keys)
    add_event(store, "payroll.paid", PAYROLL_A)  # a webhook: no check date, the existing key is reused
    (again,) = requests(tick(store, instance, first.cursor))
    assert again.partition_key == payroll_key("acme", PAYROLL_A, "2026-02-27")


def test_payroll_key_parsing_accepts_both_forms() -> None:
    """Keys of the older `connection:uuid` form still name their payroll; malformed keys are refused."""
    from connector_assets.defs.partitions import parse_payroll_key, split_payroll_key

    assert split_payroll_key(f"acme:2026-02-27:{PAYROLL_A}") == ("acme", PAYROLL_A)
    assert split_payroll_key(f"acme:{PAYROLL_A}") == ("acme", PAYROLL_A)
    assert parse_payroll_key(f"acme:2026-02-27:{PAYROLL_A}").check_date == "2026-02-27"
    for bad in ("acme", f"acme:not-a-date:{PAYROLL_A}", f":{PAYROLL_A}", "a:b:c:d"):
        with pytest.raises(ValueError):
            split_payroll_key(bad)
