"""Validate a built journal against CloudSuite master data and its own proofs: the reasons a posting is held.

Each problem names the check it fails (one Dagster asset check per name), the journal line, the value and
a sentence an accountant can act on. An empty result means the journal may post.
"""

from __future__ import annotations

import datetime as dt

import polars as pl

from connector_assets.ledger.journal import Journal
from connector_assets.ledger.proofs import CASH_TIE_OUT

ACCOUNTS_OPEN = "accounts_exist_and_open"
COST_CENTERS_EXIST = "cost_centers_exist"
BALANCED = "balanced"
TIES_OUT = "ties_out_to_gusto"
CASH_TIES_OUT = "cash_ties_out_to_bank"
NO_UNMAPPED = "no_unmapped_lines"
CHECKS = (ACCOUNTS_OPEN, COST_CENTERS_EXIST, BALANCED, TIES_OUT, CASH_TIES_OUT, NO_UNMAPPED)
CASH_FIGURES_TEXT = (
    "Clearing credits equal Gusto's bank figures one by one: company_debit, net_pay_debit, tax_debit, "
    "reimbursement_debit, child_support_debit and check_amount."
)

PROBLEM_SCHEMA = {"check": pl.String, "line_no": pl.Int64, "value": pl.String, "reason": pl.String}


def _open_on(master: pl.DataFrame, key: str, on: dt.date) -> pl.DataFrame:
    return master.select(
        pl.col(key).cast(pl.String),
        (
            ~pl.col("blocked").cast(pl.Boolean).fill_null(False)
            & (pl.col("valid_from").is_null() | (pl.col("valid_from").cast(pl.Date) <= on))
            & (pl.col("valid_to").is_null() | (pl.col("valid_to").cast(pl.Date) >= on))
        ).alias("open"),
        pl.col("blocked").cast(pl.Boolean).fill_null(False).alias("blocked"),
        pl.lit(True).alias("found"),
    ).unique(key, keep="first")


def _code_problems(
    lines: pl.DataFrame, master: pl.DataFrame, column: str, key: str, kind: str, check: str, on: dt.date
) -> pl.DataFrame:
    used = lines.filter(pl.col(column).is_not_null()).select("line_no", pl.col(column).alias(key))
    joined = used.join(_open_on(master, key, on), on=key, how="left").filter(~pl.col("open").fill_null(False))
    reason = (
        pl.when(pl.col("found").is_null())
        .then(
            pl.format(f"{kind} {{}} does not exist in CloudSuite; create it there or fix the mapping", pl.col(key))
        )
        .when(pl.col("blocked"))
        .then(pl.format(f"{kind} {{}} is blocked in CloudSuite; unblock it or map to an open {kind}", pl.col(key)))
        .otherwise(
            pl.format(
                f"{kind} {{}} is not valid on the posting date {on.isoformat()}; fix its validity dates",
                pl.col(key),
            )
        )
    )
    return joined.select(
        pl.lit(check).alias("check"), "line_no", pl.col(key).alias("value"), reason.alias("reason")
    )


def validate_journal(journal: Journal, accounts: pl.DataFrame, cost_centers: pl.DataFrame) -> pl.DataFrame:
    """Every reason this journal may not post (`PROBLEM_SCHEMA`); empty when it may."""
    on = journal.header.posting_date
    lines = journal.lines
    unmapped = lines.filter(pl.col("unmapped_reason").is_not_null()).select(
        pl.lit(NO_UNMAPPED).alias("check"),
        "line_no",
        pl.coalesce("employee_uuid", "category").alias("value"),
        pl.format("{} line: {}", pl.col("category"), pl.col("unmapped_reason")).alias("reason"),
    )
    proofs = journal.proofs
    proof_rows: list[dict[str, object]] = []
    if not proofs.balanced:
        proof_rows.append({"check": BALANCED, "line_no": None, "value": None, "reason": proofs.problems()[0]})
    if not proofs.totals_present:
        reason = "payroll has no totals; only processed payrolls can be posted"
        proof_rows.append({"check": TIES_OUT, "line_no": None, "value": None, "reason": reason})
    for d in proofs.differences:
        if d.blocking:
            check = CASH_TIES_OUT if d.proof == CASH_TIE_OUT else TIES_OUT
            proof_rows.append({"check": check, "line_no": None, "value": d.name, "reason": d.describe()})
    frames = [
        _code_problems(lines, accounts, "account", "account", "account", ACCOUNTS_OPEN, on),
        _code_problems(lines, cost_centers, "cost_center", "cost_center", "cost center", COST_CENTERS_EXIST, on),
        unmapped,
        pl.DataFrame(proof_rows, schema=PROBLEM_SCHEMA),
    ]
    return pl.concat([f.cast(PROBLEM_SCHEMA) for f in frames]).sort("check", "line_no", nulls_last=True)  # type: ignore[arg-type]
