"""Saved simulators come back as they were left: company, payrolls, grants, CloudSuite master data and periods."""

from __future__ import annotations

import os
import pickle
from pathlib import Path

import pytest

from connector_assets.sandbox.generator import generate_world
from connector_assets.sandbox.gusto import GustoSimulator
from connector_assets.sandbox.ion import IonSimulator
from connector_assets.sandbox.persist import SimulatorStateError, load_simulators, save_simulators


def test_a_saved_tenant_restarts_with_its_changes(tmp_path: Path) -> None:
    world = generate_world(seed=3, employees=4, history_months=1)
    gusto, ion = GustoSimulator(world), IonSimulator("SAVED_TST")
    try:
        hire = gusto.hire(first_name="Robin", last_name="Quill", department=world.departments[0].title)
        payroll = gusto.run_payroll(off_cycle=True, reason="Bonus", bonuses={hire.uuid: "10.00"},
                                    employee_uuids=[hire.uuid])  # fmt: skip
        ion.seed_accounts([{"code": "6010", "name": "Wages"}, {"code": "1090", "name": "Bank"}])
        ion.block_account("6010")
        ion.close_period(2026, 1)
        saved_at = gusto.clock.now()  # read before the save: the saved clock is at least this late
        path = save_simulators(tmp_path / "state.pickle", gusto, ion)
    finally:
        gusto.close()

    again, ion_again = load_simulators(path)
    try:
        assert path.stat().st_mode & 0o777 == 0o600
        assert again.world.payroll(payroll.uuid) is not None
        assert hire.uuid in {e.uuid for e in again.world.employees}
        assert [e.event_type for e in again.events.events] == [e.event_type for e in gusto.events.events]
        assert again.clock.now() >= saved_at  # the clock resumes where it stopped, it does not jump back
        assert ion_again.credentials == ion.credentials  # the `.ionapi` file written for it still signs in
        accounts = ion_again.state.accounts().values
        assert accounts["6010"].blocked and not accounts["1090"].blocked
        assert ion_again.state.closed_periods == {(2026, 1)}
    finally:
        again.close()


def test_a_file_naming_anything_else_is_refused(tmp_path: Path) -> None:
    """Only simulator records and plain values load: a file naming any other callable is not executed."""
    path = tmp_path / "state.pickle"
    path.write_bytes(pickle.dumps({"format": 1, "gusto": os.getcwd}))
    with pytest.raises(SimulatorStateError, match="may not name"):
        load_simulators(path)
    with pytest.raises(SimulatorStateError, match="no simulator state"):
        load_simulators(tmp_path / "missing.pickle")
