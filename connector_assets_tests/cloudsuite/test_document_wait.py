"""How the submitting run looks for a document M3 creates in the background: a steady schedule within its budget."""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable

from sqlalchemy import Engine

from connector_assets.cloudsuite.document_wait import FIRST_LOOK_S, LOOK_EVERY_S, look_offsets
from connector_assets.cloudsuite.erp import Erp
from connector_assets.cloudsuite.posting_outcomes import Posted, Submitted
from connector_assets.store.postings import SUBMITTED, Postings
from connector_assets_tests.cloudsuite.posting_cases import bonus_journal, request_for, service
from connector_assets_tests.fixtures.ion_sandbox import IonSandbox

VOUCHER_DELAY_S = 1.0


def test_looks_come_at_a_steady_interval_within_the_budget() -> None:
    offsets = look_offsets(5.0)
    assert offsets[0] == FIRST_LOOK_S and offsets[-1] <= 5.0
    assert all(math.isclose(b - a, LOOK_EVERY_S) for a, b in itertools.pairwise(offsets))
    assert len(offsets) == 20


def test_without_a_budget_the_run_looks_once_at_once() -> None:
    assert look_offsets(0) == [0.0]
    assert look_offsets(FIRST_LOOK_S / 2) == [0.0]


class SimulatedTime:
    """Stands in for `time.monotonic` and `time.sleep`: a pause moves this time and the simulated tenant's clock."""

    def __init__(self, sandbox: IonSandbox) -> None:
        self.sandbox, self.now = sandbox, 0.0
        self.pauses: list[float] = []

    def monotonic(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.pauses.append(seconds)
        self.now += seconds
        self.sandbox.sim.clock.advance(seconds)


def test_a_voucher_created_after_a_second_is_found_at_the_first_look_after_it(
    sqlite_store: Engine, make_ion_sandbox: Callable[..., IonSandbox], make_erp: Callable[..., Erp]
) -> None:
    """A doubling interval would look at 0.7 s and then 1.5 s; the steady one finds it within one interval."""
    sandbox = make_ion_sandbox(voucher_delay_s=VOUCHER_DELAY_S)
    simulated = SimulatedTime(sandbox)
    svc = service(sqlite_store, make_erp(sandbox, "m3"), sleep=simulated.sleep, monotonic=simulated.monotonic)
    assert isinstance(svc.post(request_for(bonus_journal())), Posted)
    assert len(simulated.pauses) <= math.ceil(VOUCHER_DELAY_S / LOOK_EVERY_S)
    assert simulated.now <= VOUCHER_DELAY_S + 1e-9


def test_a_voucher_still_missing_when_the_budget_ends_leaves_the_posting_submitted(
    sqlite_store: Engine, make_ion_sandbox: Callable[..., IonSandbox], make_erp: Callable[..., Erp]
) -> None:
    sandbox = make_ion_sandbox(voucher_delay_s=600)
    simulated = SimulatedTime(sandbox)
    svc = service(
        sqlite_store,
        make_erp(sandbox, "m3"),
        confirm_wait_s=2.0,
        sleep=simulated.sleep,
        monotonic=simulated.monotonic,
    )
    outcome = svc.post(request_for(bonus_journal()))
    assert isinstance(outcome, Submitted)
    assert len(simulated.pauses) == len(look_offsets(2.0)) and simulated.now <= 2.0 + 1e-9
    assert all(math.isclose(pause, LOOK_EVERY_S) for pause in simulated.pauses)
    row = Postings(sqlite_store).get(outcome.reference)
    assert row is not None and row.state == SUBMITTED
