"""Benchmark: resolve + build_journal for synthetic payrolls of 10,000 and 50,000 employees.

The items frame is constructed directly with polars (not via ``payroll_items``),
so the figure is the journal engine alone. Prints one JSON line per size.
"""

from __future__ import annotations

import json
import resource
import sys
import time

import polars as pl

from connector_assets.ledger import JournalOptions, build_journal
from connector_assets.mapping import parse_mapping, resolve

SIZES = (10_000, 50_000)
DEPARTMENTS = 20
MAPPING = (
    "defaults:\n"
    + "".join(
        f'  {k}: {{account: "6{i:03d}", cost_center: "100"}}\n'
        for i, k in enumerate(["regular", "overtime", "bonus", "employer_tax", "employer_benefit"])
    )
    + "credits:\n"
    + "".join(
        f'  {k}: "2{i:03d}"\n'
        for i, k in enumerate(
            ["net_pay_direct_deposit", "net_pay_check", "taxes", "benefits", "deductions", "reimbursement_clearing"]
        )
    )
    + "departments:\n"
    + "".join(f'  Dept {d}: {{cost_center: "{200 + d}"}}\n' for d in range(DEPARTMENTS))
    + 'jobs:\n  "Job 3":\n    - {min_rate: "30.00", cost_center: "900", accounts: {regular: "6100"}}\n'
    + "splits:\n"
    + "".join(f'  - {{employee: "e{n:07d}", cost_centers: {{"301": 33.33, "302": 33.33, "303": 33.34}}}}\n'
              for n in range(0, 500, 7))
)  # fmt: skip


def synthetic(n: int) -> tuple[dict[str, object], pl.DataFrame, pl.DataFrame]:
    """A payroll (totals only), its items and employee attributes for ``n`` employees."""
    emp = pl.DataFrame({"i": pl.int_range(n, eager=True)}).with_columns(
        employee_uuid=pl.format("e{}", pl.col("i").cast(pl.String).str.zfill(7)),
        job_uuid=pl.format("j{}", pl.col("i")),
        regular=200_000 + (pl.col("i") * 7919) % 300_000,
        overtime=pl.when(pl.col("i") % 3 == 0).then((pl.col("i") * 131) % 40_000).otherwise(0),
        bonus=pl.when(pl.col("i") % 10 == 0).then(50_000).otherwise(0),
    )
    emp = emp.with_columns(gross=pl.col("regular") + pl.col("overtime") + pl.col("bonus")).with_columns(
        fit=pl.col("gross") // 8, fica=pl.col("gross") * 765 // 10_000, er_fica=pl.col("gross") * 765 // 10_000,
        futa=pl.col("gross") * 6 // 1_000, ben_ee=pl.lit(12_000), ben_er=pl.lit(30_000),
    ).with_columns(net=pl.col("gross") - pl.col("fit") - pl.col("fica") - pl.col("ben_ee"))  # fmt: skip
    specs = [
        ("regular", "earning", "regular", True, False), ("overtime", "earning", "overtime", True, False),
        ("bonus", "earning", "bonus", True, False), ("fit", "employee_tax", "Federal Income Tax", False, False),
        ("fica", "employee_tax", "FICA", False, False), ("er_fica", "employer_tax", "FICA", False, True),
        ("futa", "employer_tax", "FUTA", False, True), ("ben_ee", "employee_benefit", "Medical", False, False),
        ("ben_er", "employer_benefit", "Medical", False, True), ("net", "net_pay", "direct_deposit", False, False),
    ]  # fmt: skip
    items = pl.concat(
        emp.select(
            "employee_uuid",
            job_uuid=pl.col("job_uuid") if with_job else pl.lit(None, pl.String),
            category=pl.lit(cat), subtype=pl.lit(sub), name=pl.lit(sub), amount_cents=pl.col(col).cast(pl.Int64),
            employer=pl.lit(employer),
        ).filter(pl.col("amount_cents") != 0)
        for col, cat, sub, with_job, employer in specs
    ).with_row_index("item_no").with_columns(pl.col("item_no").cast(pl.Int64))  # fmt: skip
    attributes = emp.select(
        "employee_uuid", "job_uuid",
        department_uuid=pl.lit(None, pl.String), department=pl.format("Dept {}", pl.col("i") % DEPARTMENTS),
        location_uuid=pl.lit(None, pl.String), job_title=pl.format("Job {}", pl.col("i") % 5),
        rate_cents=pl.lit(3_500, pl.Int64), custom_cost_center=pl.lit(None, pl.String), primary_job=pl.lit(True),
    )  # fmt: skip
    s = {
        k: int(emp[k].sum())
        for k in ("gross", "net", "fit", "fica", "er_fica", "futa", "ben_ee", "ben_er", "bonus")
    }
    totals = {
        "gross_pay": s["gross"], "net_pay": s["net"], "net_pay_debit": s["net"], "employer_taxes": s["er_fica"] + s["futa"],
        "employee_taxes": s["fit"] + s["fica"], "benefits": s["ben_er"], "employee_benefits_deductions": s["ben_ee"],
        "tax_debit": s["fit"] + s["fica"] + s["er_fica"] + s["futa"], "employee_bonuses": s["bonus"],
    }  # fmt: skip
    payroll: dict[str, object] = {"payroll_uuid": f"bench-{n}", "check_date": "2025-06-30",
               "totals": {k: f"{v // 100}.{v % 100:02d}" for k, v in totals.items()}}  # fmt: skip
    return payroll, items, attributes


def main() -> None:
    """Print one JSON line per size; progress goes to stderr."""
    rules = parse_mapping(MAPPING, "bench_mapping.yaml")
    for n in SIZES:
        payroll, items, attributes = synthetic(n)
        print(
            f"journal_build: {n} employees, {items.height} items (items frame constructed directly)",
            file=sys.stderr,
        )
        start = time.perf_counter()
        resolved = resolve(items, attributes, rules)
        journal = build_journal(payroll, items, resolved, JournalOptions(connection_id="bench"))
        seconds = time.perf_counter() - start
        if not journal.proofs.ok:
            print(f"journal_build: proofs failed: {journal.proofs.problems()}", file=sys.stderr)
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(json.dumps({"bench": "journal_build", "employees": n, "lines": journal.lines.height,
                          "seconds": round(seconds, 3), "peak_mb": round(peak, 1),
                          "balanced": journal.proofs.balanced}))  # fmt: skip


if __name__ == "__main__":
    main()
