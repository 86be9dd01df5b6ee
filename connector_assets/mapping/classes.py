"""Classes of like employees for grouped resolution, and each item's place among them.

The snapshot gives one row per employee (rows ``0..n-1``, what the rules see of the employee and its
primary job) and one per job (rows ``n..``, what the rules see of that job). One join on the employee (and
the job, where employees hold several) gives each item its row; from there on, an employee's class, its
wage sign and whether it resolves item by item are integer lookups by row, not passes over the items' text.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from connector_assets.ledger import categories as c
from connector_assets.mapping.model import MappingRules
from connector_assets.mapping.periods import PART_SEPARATOR
from connector_assets.mapping.profiles import profile_columns
from connector_assets.mapping.resolve import attribute_tables

PSEUDO = "~"
# Profile columns that come from the employee (the rest come from the job the line carries).
EMPLOYEE_KEYS = ("_p_department_uuid", "_p_department", "_p_location_uuid", "_p_custom")
JOB_KEYS = ("_p_job_title", "_p_rate")
WAGES = [c.EARNING, c.CASH_TIPS]
# A class is what the rules see of an employee and the sign of its wages (-1, 0: none or net zero, 1).
SIGNS = 3


@dataclass(frozen=True)
class Classes:
    """Employees and their jobs as the rules see them, and the table an item finds its row in."""

    employees: pl.DataFrame  # row _e: employee_uuid, _named, _base (what rules see), employee-level profile
    rows: pl.DataFrame  # row _r: _e, _kind (0: the employee's primary row), job-level profile
    table: pl.DataFrame  # what an item joins: by employee (one job at most) or by employee and job
    single_job: bool
    width: int  # kinds per class: a group is class * width + kind

    @property
    def size(self) -> int:
        """Number of employees."""
        return self.employees.height


def _named(frame: pl.DataFrame, rules: MappingRules, keys: tuple[str, ...]) -> pl.DataFrame:
    """``frame`` with the profile columns in ``keys`` that some rule looks at (null where none names the value)."""
    cols = {k: e for k, e in profile_columns(rules).items() if k in keys}
    return frame.with_columns(**cols)


def _named_employees(ids: pl.Series, rules: MappingRules) -> pl.Series:
    """Employees (or their parts, ``<employee>#<from>``) an employee rule names."""
    named = sorted({r.match_value or "" for r in rules.rules if r.match_field == "employee_uuid"})
    if named and ids.str.contains(PART_SEPARATOR, literal=True).any():
        ids = ids.str.split(PART_SEPARATOR).list.first()
    return ids.is_in(named).alias("_named")


def _jobs(emp: pl.DataFrame, by_job: pl.DataFrame, rules: MappingRules) -> tuple[pl.DataFrame, bool]:
    """(the jobs: ``_e``, ``job_uuid`` and what the rules see of the job, in ``by_job`` order; whether they
    are the employees' own rows, one per employee)."""
    jkeys = [k for k in JOB_KEYS if k in emp.columns]
    renamed = by_job.rename({"j_title": "job_title", "j_rate": "rate_cents"})
    primary = emp.filter(pl.col("p_job").is_not_null())
    mine = primary.select("employee_uuid", job_uuid="p_job", job_title="job_title", rate_cents="rate_cents")
    if mine.equals(renamed):
        # One row per employee: the jobs are the employees' own rows, already read as the rules see them.
        return primary.select("_e", pl.col("p_job").alias("job_uuid"), *jkeys), True
    named = renamed.pipe(_named, rules, JOB_KEYS)
    on = emp.select("employee_uuid", "_e")
    jobs = named.join(on, on="employee_uuid", how="left", maintain_order="left").select("_e", "job_uuid", *jkeys)
    return jobs, False


def _table(emp: pl.DataFrame, jobs: pl.DataFrame, own_rows: bool, single: bool) -> pl.DataFrame:
    """What an item joins to find its row: per employee its one job (``_job``, row ``_jr``), or per
    employee and job (the employee's primary row under a null job)."""
    if own_rows:
        # The jobs are the employees' rows that name one, in order: the n-th of them is row size + n - 1.
        has_job = pl.col("p_job").is_not_null()
        jr = pl.when(has_job).then(has_job.cum_sum().cast(pl.Int64) + (emp.height - 1))
        return emp.select("employee_uuid", "_e", _job="p_job", _jr=jr)
    if single:
        job = jobs.select("_e", _job="job_uuid", _jr="_r")
        return emp.select("employee_uuid", "_e").join(job, on="_e", how="left", maintain_order="left")
    primary = emp.select(
        "employee_uuid", job_uuid=pl.lit(None, pl.String), _e="_e", _r=pl.col("_e").cast(pl.Int64)
    )
    return pl.concat([primary, jobs.select(emp["employee_uuid"].gather(jobs["_e"]), "job_uuid", "_e", "_r")])


def employee_classes(attributes: pl.DataFrame, rules: MappingRules) -> Classes:
    """Each employee's class before its wage sign (``_base``), and each job's kind."""
    primary, by_job = attribute_tables(attributes)
    emp = (
        primary.rename({"p_title": "job_title", "p_rate": "rate_cents"})
        .with_row_index("_e")
        .pipe(_named, rules, EMPLOYEE_KEYS + JOB_KEYS)
    )
    emp = emp.with_columns(_named_employees(emp["employee_uuid"], rules))
    n = emp.height
    ekeys = [k for k in EMPLOYEE_KEYS if k in emp.columns]
    jkeys = [k for k in JOB_KEYS if k in emp.columns]
    # A job's kind: 0 for the primary row, 1.. for what the rules see of a job.
    kind = pl.struct(jkeys).rank("dense").cast(pl.Int64) if jkeys else pl.lit(1, pl.Int64)
    jobs, own_rows = _jobs(emp, by_job, rules)
    jobs = jobs.with_columns(_kind=kind, _r=pl.int_range(n, n + pl.len(), dtype=pl.Int64))
    single = own_rows or bool(jobs["_e"].is_unique().all())
    if not single:
        # Employees of a class hold the same kinds of jobs, so their wages are likely to land alike (a
        # class whose wages do not land on one cost centre falls back; the bit set keeps that rare).
        bit = (pl.lit(2.0) ** (pl.col("_kind") % 62)).cast(pl.Int64)  # powers of two are exact
        held = jobs.group_by("_e").agg(_jobs=bit.bitwise_or())
        emp = emp.join(held, on="_e", how="left", maintain_order="left")
        ekeys.append("_jobs")
    keys = ekeys + jkeys
    # Like employees share the row number of the first of them: a class id without ranking every employee.
    base = pl.col("_e").cast(pl.Int64).min().over(keys) if keys else pl.lit(0, pl.Int64)
    emp = emp.with_columns(_base=base)
    width = int(jobs.select(pl.col("_kind").max().fill_null(0)).item()) + 1
    rows = pl.concat([emp.select("_e", *jkeys, _kind=pl.lit(0, pl.Int64)), jobs.select("_e", *jkeys, "_kind")])
    table = _table(emp, jobs, own_rows, single)
    return Classes(emp.select("employee_uuid", "_e", "_named", "_base", *ekeys), rows, table, single, width)


def item_rows(items: pl.DataFrame, classes: Classes) -> tuple[pl.DataFrame, pl.Series]:
    """(``items`` with their employee ``_e`` and row ``_r``, the employees with a line on a job the snapshot
    lacks). An item of an employee the snapshot lacks, or on such a job, has no row."""
    on_job = pl.col("job_uuid").is_not_null()
    keys = items.select("employee_uuid", "job_uuid")
    if classes.single_job:
        row = (
            pl.when(~on_job)
            .then(pl.col("_e").cast(pl.Int64))
            .when(pl.col("job_uuid") == pl.col("_job"))
            .then("_jr")
        )
        found = keys.join(classes.table, on="employee_uuid", how="left", maintain_order="left").select(
            "_e", _r=row
        )
        # A known employee's item without a row is on a job the snapshot lacks; most payrolls have none.
        orphans = found["_e"].clear()
        if found["_r"].null_count() > found["_e"].null_count():
            orphans = found.filter(pl.col("_r").is_null())["_e"].drop_nulls().unique()
    else:
        found = keys.join(
            classes.table, on=["employee_uuid", "job_uuid"], how="left", nulls_equal=True, maintain_order="left"
        )
        lost = found.filter(on_job & pl.col("_r").is_null())["employee_uuid"].unique()
        orphans = classes.employees.filter(pl.col("employee_uuid").is_in(lost.implode()))["_e"]
    # The join keeps one row per item (employee and job are unique in the table): the columns line up.
    return items.hstack(found.select("_e", "_r")), orphans


def wage_signs(keyed: pl.DataFrame, size: int) -> pl.Series:
    """Per employee, the sign of its wages' sum (0: no wages, or they net to zero).

    Positive wages alone sum positive; only employees with a negative wage item are summed.
    """
    wage = pl.any_horizontal(pl.col("category") == w for w in WAGES) & pl.col("_e").is_not_null()
    paid = keyed.select(pl.col("_e", "amount_cents").filter(wage))
    employee, amount = paid["_e"], paid["amount_cents"]
    signs = pl.zeros(size, pl.Int64, eager=True).scatter(employee.filter(amount > 0), 1)
    negative = amount < 0
    if negative.any():
        doubtful = employee.filter(negative).unique().implode()
        exact = (
            paid.filter(pl.col("_e").is_in(doubtful)).group_by("_e").agg(_sign=pl.col("amount_cents").sum().sign())
        )
        signs = signs.scatter(exact["_e"], exact["_sign"])
    return signs


def class_ids(classes: Classes, signs: pl.Series) -> pl.Series:
    """Per employee, its class: what the rules see of it and the sign of its wages."""
    return classes.employees["_base"] * SIGNS + signs + 1


def row_groups(classes: Classes, cid: pl.Series, alone: pl.Series) -> pl.Series:
    """Per row, its group (class * width + kind); null for employees that resolve item by item."""
    e = classes.rows["_e"]
    frame = pl.DataFrame({"c": cid.gather(e), "a": alone.gather(e), "k": classes.rows["_kind"]})
    return frame.select(
        _gid=pl.when(pl.col("a")).then(None).otherwise(pl.col("c") * classes.width + pl.col("k"))
    ).to_series()


def _maybe(frame: pl.DataFrame, name: str, dtype: pl.DataType = pl.String()) -> pl.Expr:
    return pl.col(name) if name in frame.columns else pl.lit(None, dtype)


def pseudo_attributes(classes: Classes, gids: pl.Series, reps: pl.Series) -> pl.DataFrame:
    """Pseudo-employees' attributes: one job row per group (from a row of it in ``reps``) and the primary
    row of each class, carrying exactly what the rules see."""
    rows = pl.concat([reps, classes.rows["_e"].gather(reps).cast(pl.Int64)]).unique()
    found = classes.rows[rows].with_columns(_gid=gids.gather(rows)).unique("_gid")
    found = found.hstack(classes.employees.drop("_e")[found["_e"]])
    cid = pl.col("_gid") // classes.width
    return found.select(
        employee_uuid=pl.format(PSEUDO + "{}", cid),
        department_uuid=_maybe(found, "_p_department_uuid"),
        department=_maybe(found, "_p_department"),
        location_uuid=_maybe(found, "_p_location_uuid"),
        job_uuid=pl.format(PSEUDO + "{}", "_gid"),
        job_title=_maybe(found, "_p_job_title"),
        rate_cents=_maybe(found, "_p_rate", pl.Int64()),
        custom_cost_center=_maybe(found, "_p_custom"),
        primary_job=pl.col("_kind") == 0,
    )
