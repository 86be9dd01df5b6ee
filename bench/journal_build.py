"""Benchmark: resolve_grouped + build_journal (a summarized journal, as a payroll run builds it) for synthetic payrolls of 10,000, 50,000 and 100,000 employees.

The items frame is constructed directly with polars (not via ``payroll_items``),
so the figure is the journal engine alone. Prints one JSON line per size with its own limit:
``limit_seconds`` is a bare polars join of the same items with the employees' departments and a
group-by sum, measured in the same process; ``ratio_to_limit`` is the engine's time over it (medians
of ``CONNECTOR_BENCH_REPEATS`` runs, 3 by default).

Memory is resident memory added at the peak of a call (sampled every millisecond), per employee, each figure
in a fresh process of its own. ``kb_per_employee`` is the engine's working memory: its first call at full size
after one call on a 200-employee payroll (which starts polars' thread pool and allocator arenas and builds the
mapping's rule index: one-time costs of a process, not of a payroll), with the allocator returning freed pages
at once (``_RJEM_MALLOC_CONF``), so the figure is what the engine holds rather than what the allocator keeps
for later. ``limit_kb_per_employee`` is the limit's query measured the same way. ``kb_per_employee_cold`` is
the engine's first call in a fresh process with neither (the default allocator, nothing warmed).
"""

from __future__ import annotations

import functools
import json
import os
import resource
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import polars as pl

from bench._machine import emit
from connector_assets.ledger import Journal, JournalOptions, build_journal
from connector_assets.mapping import parse_mapping
from connector_assets.mapping.grouped import resolve_grouped
from connector_assets.mapping.model import MappingRules

SIZES = tuple(int(s) for s in os.environ.get("CONNECTOR_BENCH_SIZES", "10000,50000,100000").split(","))
REPEATS = int(os.environ.get("CONNECTOR_BENCH_REPEATS", "3"))
PAGE = os.sysconf("SC_PAGE_SIZE")
ROOT = Path(__file__).resolve().parent.parent
WARM_UP_EMPLOYEES = 200
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
        k: int(emp[k].cast(pl.Int64).sum())  # constant columns are Int32: their sum would wrap at 100k
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


def _rss_bytes() -> int:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * PAGE


def peak_added_bytes(work: Callable[[], object]) -> int:
    """Resident memory ``work`` adds at its peak, sampled from another thread every millisecond."""
    base = peak = _rss_bytes()
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.wait(0.001):
            peak = max(peak, _rss_bytes())

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    try:
        work()
    finally:
        done.set()
        sampler.join()
    return max(peak, _rss_bytes()) - base


def limit(items: pl.DataFrame, attributes: pl.DataFrame) -> float:
    """Seconds for the bare polars join + group-by of the same items: the floor the engine is measured against."""
    start = time.perf_counter()
    (
        items.lazy()
        .join(attributes.lazy().select("employee_uuid", "department"), on="employee_uuid", how="left")
        .group_by("category", "subtype", "department")
        .agg(pl.col("amount_cents").sum())
        .collect()
    )
    return time.perf_counter() - start


def engine(
    payroll: dict[str, object], items: pl.DataFrame, attributes: pl.DataFrame, rules: MappingRules
) -> Journal:
    """What a payroll run does: resolve the legs (grouped, as for a summarized journal) and build the journal."""
    return build_journal(
        payroll, items, resolve_grouped(items, attributes, rules), JournalOptions(connection_id="bench")
    )


def working_memory(n: int) -> None:
    """Print (JSON) the engine's and the limit's added memory per employee after the one-time warm-up."""
    rules = parse_mapping(MAPPING, "bench_mapping.yaml")
    warm_payroll, warm_items, warm_attributes = synthetic(WARM_UP_EMPLOYEES)
    engine(warm_payroll, warm_items, warm_attributes, rules)
    limit(warm_items, warm_attributes)
    payroll, items, attributes = synthetic(n)
    engine_bytes = peak_added_bytes(functools.partial(engine, payroll, items, attributes, rules))
    payroll, items, attributes = synthetic(n)
    limit_bytes = peak_added_bytes(functools.partial(limit, items, attributes))
    print(json.dumps({"engine": engine_bytes, "limit": limit_bytes}))


def _warm_memory(n: int) -> dict[str, int]:
    """``working_memory`` of one size, in a fresh process whose allocator returns freed pages at once."""
    code = f"from bench.journal_build import working_memory; working_memory({n})"
    env = {**os.environ, "_RJEM_MALLOC_CONF": "dirty_decay_ms:0,muzzy_decay_ms:0"}
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, check=True, stdout=subprocess.PIPE, text=True
    ).stdout
    return dict(json.loads(out.strip().splitlines()[-1]))


def measure(n: int, rules: MappingRules) -> dict[str, object]:
    """One size: cold memory on the first call (this process has built no journal yet), then warm timings."""
    payroll, items, attributes = synthetic(n)
    print(
        f"journal_build: {n} employees, {items.height} items (items frame constructed directly)", file=sys.stderr
    )
    added = peak_added_bytes(functools.partial(engine, payroll, items, attributes, rules))
    times, limits = [], []
    for _ in range(REPEATS):
        limits.append(limit(items, attributes))
        start = time.perf_counter()
        journal = engine(payroll, items, attributes, rules)
        times.append(time.perf_counter() - start)
    seconds, floor = statistics.median(times), statistics.median(limits)
    if not journal.proofs.ok:
        print(f"journal_build: proofs failed: {journal.proofs.problems()}", file=sys.stderr)
    return {
        "bench": "journal_build", "employees": n, "items": items.height, "lines": journal.lines.height,
        "seconds": round(seconds, 3), "limit_seconds": round(floor, 3), "ratio_to_limit": round(seconds / floor, 2),
        "us_per_employee": round(seconds / n * 1e6, 2), "kb_per_employee_cold": round(added / 1024 / n, 2),
        "peak_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "balanced": journal.proofs.balanced,
    }  # fmt: skip


def one(n: int) -> None:
    """Print the line of one size (run in a process of its own, so memory freed by another size is not reused)."""
    line = measure(n, parse_mapping(MAPPING, "bench_mapping.yaml"))
    warm = _warm_memory(n)
    emit({**line, "kb_per_employee": round(warm["engine"] / 1024 / n, 2),
          "limit_kb_per_employee": round(warm["limit"] / 1024 / n, 2)})  # fmt: skip


def main() -> None:
    """One JSON line per size, each size in a fresh process; progress goes to stderr."""
    for n in SIZES:
        code = f"from bench.journal_build import one; one({n})"
        subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True)


if __name__ == "__main__":
    main()
