"""How long the sandbox generator takes for 50,000 employees plus one payroll paying all of them.

Generates the world (with its lazily computed payroll history), then computes one regular payroll whose
members are every employee employed in the latest salaried period, its totals, and checks the totals
identities. Progress on stderr; exactly one JSON line on stdout. Goal: well under 60 s.

    python -m bench.sandbox_generate        # or: from bench.sandbox_generate import main; main()
"""

from __future__ import annotations

import json
import sys
import time

from connector_assets.sandbox.generator import generate_world
from connector_assets.sandbox.generator_payroll import payroll_pay, payroll_totals

EMPLOYEES = 50_000
SEED = 7


def main() -> None:
    started = time.perf_counter()
    print(f"sandbox_generate: generating {EMPLOYEES} employees (seed {SEED})", file=sys.stderr)
    world = generate_world(seed=SEED, employees=EMPLOYEES)
    generated = time.perf_counter()
    print(
        f"sandbox_generate: world in {generated - started:.2f} s; computing one payroll for all", file=sys.stderr
    )
    latest = max((p for p in world.payrolls if p.processed and not p.off_cycle), key=lambda p: p.check_date)
    latest.employee_uuids = [
        e.uuid for e in world.employees if e.employed_during(latest.start_date, latest.end_date)
    ]
    latest.pay = None
    rows = payroll_pay(world, latest)
    totals = payroll_totals(rows)
    if (
        totals["gross_pay"]
        != totals["net_pay"]
        + totals["employee_taxes"]
        + totals["employee_benefits_deductions"]
        + totals["other_deductions"]
    ):
        raise AssertionError(f"payroll {latest.uuid}: gross pay does not tie out to net pay and withholdings")
    elapsed = time.perf_counter() - started
    print(
        f"sandbox_generate: payroll of {len(rows)} rows in {elapsed - (generated - started):.2f} s",
        file=sys.stderr,
    )
    print(
        json.dumps(
            {
                "bench": "sandbox_generate",
                "employees": EMPLOYEES,
                "seconds": round(elapsed, 3),
                "payroll_rows": len(rows),
            }
        )
    )


if __name__ == "__main__":
    main()
