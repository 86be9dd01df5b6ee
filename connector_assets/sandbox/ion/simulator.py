"""`IonSimulator`: one Infor CloudSuite tenant behind a simulated ION API Gateway (M3 MI REST + SyteLine IDO REST)."""

from __future__ import annotations

import json
from collections.abc import Iterable
from contextlib import suppress
from dataclasses import replace
from decimal import Decimal
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.routing import Route

from connector_assets.sandbox.faults import FaultInjector
from connector_assets.sandbox.ion import mi_gl, mi_master
from connector_assets.sandbox.ion.admin import admin_routes
from connector_assets.sandbox.ion.config import IonConfig, SpikeArrest
from connector_assets.sandbox.ion.fsm import FsmTenant
from connector_assets.sandbox.ion.fsm_model import FsmConfig
from connector_assets.sandbox.ion.gateway import Gateway, RequestCounter
from connector_assets.sandbox.ion.ido import IdoEndpoints, IdoMethod
from connector_assets.sandbox.ion.ido_journals import post_journals
from connector_assets.sandbox.ion.mi import MiEndpoints, MiRegistry
from connector_assets.sandbox.ion.model import Batch, Clock, Employee, JournalRow, Voucher, identity_from_seed
from connector_assets.sandbox.ion.oauth_routes import make_oauth_endpoints
from connector_assets.sandbox.ion.state import IonState
from connector_assets.sandbox.ion.tampering import alter_posted_line
from connector_assets.sandbox.ion.tokens import Credentials, TokenService


class IonSimulator:
    """An in-memory tenant; `asgi_app` serves it, the methods below are its admin API in Python.

    Options are `IonConfig` fields (e.g. `token_ttl_s=60`, `issue_refresh_tokens=True`,
    `spike_arrest=SpikeArrest(5)`, `cost_center_dimension=3`).
    """

    def __init__(
        self,
        tenant: str = "ACME_TST",
        *,
        credentials: Credentials | None = None,
        fsm: FsmConfig | None = None,
        **options: Any,
    ) -> None:
        self.config = IonConfig(tenant=tenant, **options)
        self.clock = Clock()
        self.state = IonState()
        self.credentials = credentials or Credentials.generate(tenant)
        self.tokens = TokenService(self.config, self.credentials, self.clock, self.state)
        registry = MiRegistry()
        mi_master.register(registry)
        mi_gl.register(registry)
        self.mi = MiEndpoints(registry, self.state, self.config, self.clock)
        self.ido = IdoEndpoints(self.state, self.config, self.clock)
        self.fsm = FsmTenant(fsm)  # FSM over Landmark REST; its own state, fed by the seed/block calls below
        token, revoke = make_oauth_endpoints(self.tokens)
        t = "/{tenant}"
        m3 = f"{t}/M3/m3api-rest/v2/execute"
        csi = f"{t}/CSI/IDORequestService/ido"
        routes = [
            Route(f"{t}/as/token.oauth2", token, methods=["POST"]),
            Route(f"{t}/as/revoke_token.oauth2", revoke, methods=["POST", "GET"]),
            Route(m3, self.mi.bulk, methods=["POST"]),
            Route(m3 + "/{program}/{transaction}", self.mi.get, methods=["GET"]),
            Route(csi + "/load/{ido}", self.ido.load, methods=["GET"]),
            Route(csi + "/update/{ido}", self.ido.update, methods=["POST"]),
            Route(csi + "/invoke/{ido}", self.ido.invoke, methods=["POST"]),
            Route(csi + "/info/{ido}", self.ido.info, methods=["GET"]),
            *self.fsm.routes(),
            *admin_routes(self),
            *self.fsm.admin_routes(),
        ]
        self.gateway = Gateway(Starlette(routes=routes), self.config, self.tokens, self.state, self.clock)
        self.faults = FaultInjector(self.gateway)
        self.asgi_app = RequestCounter(self.faults, self.state)

    def __repr__(self) -> str:
        return f"IonSimulator(tenant={self.config.tenant!r})"

    @property
    def tenant(self) -> str:
        return self.config.tenant

    # --- credentials file ---
    def ionapi(self, base_url: str) -> dict[str, str]:
        """The tenant's `.ionapi` content pointing gateway (`iu`) and authorization server (`pu`) at `base_url`."""
        base = base_url.rstrip("/")
        c = self.credentials
        return {
            "ti": self.tenant, "cn": "GustoPayrollConnector", "dt": "12", "ci": c.client_id, "cs": c.client_secret,
            "iu": base, "pu": f"{base}/{self.tenant}/as/", "oa": "authorization.oauth2", "ot": "token.oauth2",
            "or": "revoke_token.oauth2", "ev": "U000000001", "v": "1.0", "saak": c.access_key, "sask": c.secret_key,
        }  # fmt: skip

    def write_ionapi(self, path: str | Path, base_url: str) -> Path:
        """Write the `.ionapi` JSON file (owner-readable only: it holds two credential pairs)."""
        target = Path(path)
        target.write_text(json.dumps(self.ionapi(base_url), indent=2))
        target.chmod(0o600)
        return target

    # --- master data ---
    def seed_accounts(self, accounts: Iterable[Any], replace: bool = False) -> int:
        """Add GL accounts (dimension 1 / SLCharts / FSM chart): items with code, name, blocked, valid_from, valid_to."""
        items = list(accounts)
        self.fsm.seed_accounts(items, replace)
        return self.state.seed_dimension(1, items, replace)

    def seed_cost_centers(self, cost_centers: Iterable[Any], replace: bool = False) -> int:
        """Add cost centres to the cost-centre dimension (M3) and unit code (SyteLine) at once."""
        items = list(cost_centers)
        parsed = [identity_from_seed(item) for item in items]
        self.fsm.seed_cost_centers([identity_from_seed(item) for item in items], replace)
        self.state.seed_dimension(self.config.cost_center_dimension, parsed, replace)
        return self.state.seed_unit_code(self.config.cost_center_unit_code, parsed, replace)

    def seed_dimension(self, dimension: int, values: Iterable[Any], replace: bool = False) -> int:
        return self.state.seed_dimension(dimension, values, replace)

    def seed_unit_code(self, unit: int, values: Iterable[Any], replace: bool = False) -> int:
        return self.state.seed_unit_code(unit, values, replace)

    def block_account(self, code: str, blocked: bool = True) -> None:
        self.state.set_blocked(1, code, blocked)
        with suppress(KeyError):  # seeded into M3's dimension only
            self.fsm.set_account_active(code, not blocked)

    def block_cost_center(self, code: str, blocked: bool = True) -> None:
        self.state.set_blocked(self.config.cost_center_dimension, code, blocked)
        with suppress(KeyError):
            self.fsm.set_cost_center_active(code, not blocked)

    def close_period(self, year: int, month: int, closed: bool = True) -> None:
        """Close (or reopen) a calendar-month period: postings dated in it are rejected."""
        self.state.set_period_closed(year, month, closed)
        self.fsm.close_period(year, month, closed)

    # --- tokens, clock, throttling ---
    def expire_tokens(self) -> int:
        return self.tokens.expire_all()

    def revoke_tokens(self) -> int:
        return self.tokens.revoke_all()

    def advance_clock(self, seconds: float) -> None:
        """Move the simulator's clock forward (token expiry, auth cap and spike-arrest windows)."""
        self.clock.advance(seconds)

    def set_spike_arrest(self, policy: SpikeArrest | None) -> None:
        with self.state.lock:
            self.config.spike_arrest = policy
        self.gateway.reset_throttle()

    def register_ido_method(self, ido: str, method: str, fn: IdoMethod) -> None:
        """Offer `/invoke/{ido}?method={method}`; `fn(params) -> (params_after, return_value)`."""
        self.ido.methods[(ido, method)] = fn

    # --- read back ---
    def vouchers(self) -> list[Voucher]:
        with self.state.lock:
            return [replace(v, lines=list(v.lines)) for v in self.state.vouchers]

    def batches(self) -> list[Batch]:
        with self.state.lock:
            return [replace(b, lines=dict(b.lines)) for b in self.state.batches.values()]

    def journals(self) -> list[JournalRow]:
        """Entered, unposted SyteLine journal rows (SLJournals)."""
        with self.state.lock:
            return list(self.state.journals)

    def ledgers(self) -> list[JournalRow]:
        """SyteLine rows moved to the ledger by journal posting (SLLedgers)."""
        with self.state.lock:
            return list(self.state.ledgers)

    def post_journals(self, journal_id: str | None = None) -> int:
        """The customer's journal posting: balanced references of `journal_id` move to SLLedgers."""
        return post_journals(self.state, journal_id)

    def alter_posted_line(
        self, key: str, account: str, amount: Decimal, cost_center: str | None = None
    ) -> dict[str, Any]:
        """A hand edit of a posted line's amount (M3 voucher KEY1 or SyteLine Reference)."""
        return alter_posted_line(self.state, key, account, amount, cost_center)

    def employees(self) -> list[Employee]:
        with self.state.lock:
            return [replace(e) for _, e in sorted(self.state.employees.items())]

    def counters(self) -> dict[str, int]:
        return self.state.counters_snapshot()

    def reset_counters(self) -> None:
        with self.state.lock:
            self.state.counters.clear()
