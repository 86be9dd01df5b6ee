"""Helpers of the FSM adapter tests: a connection to the sandbox's FSM face and an adapter wired to it."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from connector_assets.cloudsuite.erp import erp_for
from connector_assets.cloudsuite.fsm import FsmErp
from connector_assets.settings import Connection
from connector_assets.store.vault import TokenVault
from connector_assets_tests.cloudsuite.conftest import FAST_RETRY
from connector_assets_tests.fixtures.ion_sandbox import IonSandbox

MakeFsm = Callable[..., FsmErp]


def fsm_connection(sandbox: IonSandbox, **fsm: Any) -> Connection:
    """A connection with `erp: fsm` to the sandbox tenant; `fsm` overrides keys of `cloudsuite.fsm`."""
    config = sandbox.sim.fsm.config
    section = {"finance_enterprise_group": config.enterprise_group,
               "accounting_entity": next(iter(config.entities)), **fsm}  # fmt: skip
    return Connection.model_validate(
        {
            "id": "acme-fsm",
            "gusto": {"company_uuid": "c0ffee00-0000-4000-8000-000000000001"},
            "cloudsuite": {"ionapi_file": str(sandbox.ionapi_path), "erp": "fsm", "fsm": section},
            "mapping_file": "mapping.yaml",
        }
    )


def fsm_adapters(vault: TokenVault) -> Iterator[MakeFsm]:
    """Body of a `make_fsm` fixture: `make_fsm(sandbox, **cloudsuite.fsm keys)`; polls without waiting."""
    made: list[FsmErp] = []

    def make(sandbox: IonSandbox, **fsm: Any) -> FsmErp:
        erp = erp_for(fsm_connection(sandbox, **fsm), vault, retry=FAST_RETRY)
        assert isinstance(erp, FsmErp)
        erp.gl._sleep = lambda _s: None  # the simulator finishes runs after result polls, not after time
        made.append(erp)
        return erp

    yield make
    for erp in made:
        erp.close()
