"""Benchmark: post a 10,000-employee per-employee-detail journal into the FSM simulator through the adapter.

Stage (100 records per call), edit only, interface, then look the journal up until FSM's asynchronous run has
released it and its lines are read back. Prints one JSON line: lines, requests to the gateway, seconds.
"""

from __future__ import annotations

import json
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

from connector_assets.cloudsuite.erp import erp_for
from connector_assets.cloudsuite.fsm import FsmErp
from connector_assets.cloudsuite.types import Journal, JournalLine, PostedJournal
from connector_assets.sandbox.ion import start_ion_sandbox
from connector_assets.settings import Connection
from connector_assets.store import create_store_engine, upgrade
from connector_assets.store.crypto import SecretCipher
from connector_assets.store.vault import TokenVault

EMPLOYEES = 10_000
COST_CENTERS = [f"CC{n}00" for n in range(1, 6)]


def per_employee_journal(n: int) -> Journal:
    """Wages per employee on its cost center, net pay per employee, taxes withheld in one line."""
    lines: list[JournalLine] = []
    taxes = 0
    for i in range(n):
        gross = 200_000 + (i * 7919) % 300_000
        tax = gross // 5
        taxes += tax
        cc = COST_CENTERS[i % len(COST_CENTERS)]
        lines.append(JournalLine("6010", cc, {}, gross, 0, "USD", f"Wages e{i:05d}"))
        lines.append(JournalLine("1090", None, {}, 0, gross - tax, "USD", f"Net pay e{i:05d}"))
    lines.append(JournalLine("1091", None, {}, 0, taxes, "USD", "Taxes withheld"))
    return Journal("GP-BENCH10000EMPLOYEES-1", date(2026, 3, 13), "Payroll 2026-03-13", tuple(lines), "USD")


def main() -> None:
    """Print one JSON line; progress goes to stderr."""
    sim, server = start_ion_sandbox("BENCH_TST", seed_default=False, auth_cap_per_minute=None)
    sim.seed_accounts([{"code": c, "name": c} for c in ("6010", "1090", "1091")])
    sim.seed_cost_centers([{"code": c, "name": c} for c in COST_CENTERS])
    with tempfile.TemporaryDirectory() as tmp:
        ionapi = sim.write_ionapi(Path(tmp) / "bench.ionapi", server.url)
        connection = Connection.model_validate({
            "id": "bench-fsm", "gusto": {"company_uuid": "c1"}, "mapping_file": "m.yaml",
            "cloudsuite": {"ionapi_file": str(ionapi), "erp": "fsm",
                           "fsm": {"finance_enterprise_group": "ACME", "accounting_entity": "1000",
                                   "page_size": 1000}},
        })  # fmt: skip
        vault = TokenVault(upgrade(create_store_engine(f"sqlite:///{tmp}/store.db")),
                           SecretCipher([SecretCipher.generate_key()]))  # fmt: skip
        erp = erp_for(connection, vault)
        assert isinstance(erp, FsmErp)
        journal = per_employee_journal(EMPLOYEES)
        print(f"fsm_posting: {EMPLOYEES} employees, {len(journal.lines)} lines", file=sys.stderr)
        sim.reset_counters()
        start = time.perf_counter()
        outcome = erp.post_journal(journal)
        posted = outcome if isinstance(outcome, PostedJournal) else None
        while posted is None:
            posted = erp.find_journal(journal.external_reference)
        seconds = time.perf_counter() - start
        erp.close()
    server.stop()
    counters = sim.counters()
    print(json.dumps({"bench": "fsm_posting", "employees": EMPLOYEES, "lines": posted.line_count,
                      "requests": counters.get("requests", 0), "seconds": round(seconds, 2),
                      "balanced": posted.debit_cents == posted.credit_cents == journal.debit_cents}))  # fmt: skip


if __name__ == "__main__":
    main()
