"""A payroll read again costs no payroll request while Gusto's listing shows it unchanged; a change is read."""

from __future__ import annotations

import math

from sqlalchemy import Engine

from connector_assets.sandbox.faults import FaultRule
from connector_assets.services.payroll_reads import GUSTO, STORED, read_payroll
from connector_assets.store.snapshots import Snapshots
from connector_assets_tests.fixtures.gusto_sandbox import GustoSandbox
from connector_assets_tests.gusto.conftest import CONNECTION, ClientFactory


def _payroll_gets(sandbox: GustoSandbox, payroll_uuid: str) -> FaultRule:
    """A pass-through rule: it injects nothing and counts the GETs of one payroll (all its pages)."""
    return sandbox.sim.faults.add(FaultRule(path=rf"/payrolls/{payroll_uuid}$", method="GET", count=None))


def test_an_unchanged_processed_payroll_is_not_requested_again(
    sandbox: GustoSandbox, make_client: ClientFactory, sqlite_store: Engine
) -> None:
    """First read: every page of the payroll; second read: the listing only, and the same payroll."""
    client, snapshots = make_client(sandbox, page_size=10), Snapshots(sqlite_store)
    target = next(p for p in sandbox.world.payrolls if p.processed and not p.off_cycle)
    gets = _payroll_gets(sandbox, target.uuid)
    first = read_payroll(client, snapshots, CONNECTION, target.uuid)
    pages = math.ceil(len(first.raw["employee_compensations"]) / 10)
    assert first.source == GUSTO and gets.hits == pages >= 2
    again = read_payroll(client, snapshots, CONNECTION, target.uuid)
    assert again.source == STORED and gets.hits == pages
    assert again.raw == first.raw and again.version == first.version


def test_a_payroll_changed_in_gusto_is_read_again(
    sandbox: GustoSandbox, make_client: ClientFactory, sqlite_store: Engine
) -> None:
    """Reversed in Gusto after the first read: the listing changes, so the payroll is read with its reversal."""
    client, snapshots = make_client(sandbox), Snapshots(sqlite_store)
    target = [p for p in sandbox.world.payrolls if p.processed and not p.reversal_payroll_uuids][-1]
    gets = _payroll_gets(sandbox, target.uuid)
    first = read_payroll(client, snapshots, CONNECTION, target.uuid)
    assert first.source == GUSTO and first.raw["reversal_payroll_uuids"] == [] and gets.hits == 1
    reversal = sandbox.sim.reverse_payroll(target.uuid)
    changed = read_payroll(client, snapshots, CONNECTION, target.uuid)
    assert changed.source == GUSTO and gets.hits == 2 and changed.version != first.version
    assert changed.raw["reversal_payroll_uuids"] == [reversal.uuid]
    settled = read_payroll(client, snapshots, CONNECTION, target.uuid)
    assert settled.source == STORED and gets.hits == 2 and settled.raw == changed.raw


def test_an_unprocessed_payroll_is_always_read(
    sandbox: GustoSandbox, make_client: ClientFactory, sqlite_store: Engine
) -> None:
    """Gusto may change an unprocessed payroll at any time: nothing is reused for it."""
    client, snapshots = make_client(sandbox), Snapshots(sqlite_store)
    target = next(p for p in sandbox.world.payrolls if not p.processed)
    gets = _payroll_gets(sandbox, target.uuid)
    reads = [read_payroll(client, snapshots, CONNECTION, target.uuid) for _ in range(2)]
    assert [r.source for r in reads] == [GUSTO, GUSTO] and gets.hits == 2


def test_a_payroll_whose_listing_gusto_refuses_is_read_itself(
    sandbox: GustoSandbox, make_client: ClientFactory, sqlite_store: Engine
) -> None:
    """The listing answers 422 (a check date too far ahead, say): the run reads the payroll rather than fail."""
    client, snapshots = make_client(sandbox), Snapshots(sqlite_store)
    target = next(p for p in sandbox.world.payrolls if p.processed and not p.off_cycle)
    gets = _payroll_gets(sandbox, target.uuid)
    first = read_payroll(client, snapshots, CONNECTION, target.uuid)
    refused = sandbox.sim.faults.add(FaultRule(path=r"/payrolls$", method="GET", status=422, count=1))
    again = read_payroll(client, snapshots, CONNECTION, target.uuid)
    assert refused.hits == 1 and again.source == GUSTO and gets.hits == 2 and again.raw == first.raw
