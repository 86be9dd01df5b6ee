"""The journal of one day's Gusto contractor payments (payroll-accounting §2: a journal of their own).

Debits, per contractor: wages (hours x rate + fixed wage), bonus and reimbursement, each to its account and
the contractor's cost center. Credits, at entity level: the cash or clearing account of each payment method,
for wage_total + reimbursement. Unfunded payments wait (Gusto has not paid them). A contractor without a
rule, or an amount or payment method without an account, is held with the reason, never guessed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import polars as pl

from connector_assets.ledger.journal import LINE_SCHEMA, Journal, JournalHeader
from connector_assets.ledger.money import to_cents
from connector_assets.ledger.proofs import CASH_TIE_OUT, TIE_OUT, Difference, JournalProofs, prove_balanced
from connector_assets.ledger.reference import external_reference, lines_content_hash
from connector_assets.mapping.contractors import ContractorMapping, contractor_name

# The subject's naming lives where the light `connector` command reads it; re-exported here.
from connector_assets.subjects import CONTRACTOR_ENTITY as CONTRACTOR_ENTITY
from connector_assets.subjects import contractor_day as contractor_day
from connector_assets.subjects import contractor_subject as contractor_subject
from connector_assets.subjects import is_contractor_subject as is_contractor_subject

WAGES, BONUS, REIMBURSEMENT = "contractor_wages", "contractor_bonus", "contractor_reimbursement"
CREDIT = "contractor_payment_credit"
AMOUNT_KEY = {WAGES: "wages", BONUS: "bonus", REIMBURSEMENT: "reimbursement"}
TEXT = {WAGES: "Contractor wages", BONUS: "Contractor bonus", REIMBURSEMENT: "Contractor reimbursement"}
ORDER = {WAGES: 0, BONUS: 1, REIMBURSEMENT: 2, CREDIT: 3}
FUNDED = "Funded"


@dataclass(frozen=True)
class Placement:
    """Where one contractor's expense goes, or why it is held."""

    cost_center: str | None
    dimensions: str | None
    accounts: Mapping[str, str]
    rule: str
    held: str | None = None


def place(
    uuid: str, contractor: Mapping[str, Any] | None, mapping: ContractorMapping, departments: Mapping[str, str]
) -> Placement:
    """The contractor's rule resolved to a cost center (its own, or its department's rule's)."""
    name = contractor_name(contractor)
    rule = mapping.rule_for(uuid, (name,))
    accounts = dict(mapping.accounts)
    if rule is None:
        who = f"{name} ({uuid})" if name else uuid
        return Placement(
            None, None, accounts, "", f"contractor {who} has no rule under contractors.rules; add one"
        )
    accounts.update(rule.accounts)
    dims = ";".join(f"{k}={v}" for k, v in sorted(rule.dimensions.items())) or None
    if rule.department is not None and rule.department not in departments:
        reason = f"{rule.label}: department {rule.department!r} has no cost_center under departments"
        return Placement(None, dims, accounts, rule.label, reason)
    cost_center = rule.cost_center if rule.department is None else departments[rule.department]
    return Placement(cost_center, dims, accounts, rule.label)


def _legs(
    payments: list[dict[str, Any]], contractors: Mapping[str, Mapping[str, Any]], mapping: ContractorMapping,
    departments: Mapping[str, str],
) -> list[dict[str, Any]]:  # fmt: skip
    legs: list[dict[str, Any]] = []
    for p in payments:
        uuid = str(p.get("contractor_uuid"))
        where = f"contractor payment {p.get('uuid')}"
        total, bonus = (
            to_cents(p.get("wage_total"), f"{where} wage_total"),
            to_cents(p.get("bonus"), f"{where} bonus"),
        )
        reimbursement = to_cents(p.get("reimbursement"), f"{where} reimbursement")
        spot = place(uuid, contractors.get(uuid), mapping, departments)
        name = contractor_name(contractors.get(uuid)) or uuid
        for category, cents in ((WAGES, total - bonus), (BONUS, bonus), (REIMBURSEMENT, reimbursement)):
            account = spot.accounts.get(AMOUNT_KEY[category])
            held = spot.held or (
                None if account else f"no account under contractors.accounts.{AMOUNT_KEY[category]}"
            )
            legs.append({"category": category, "account": account, "cost_center": spot.cost_center,
                         "dimensions": spot.dimensions, "contractor": uuid, "signed": cents,
                         "text": f"{TEXT[category]} {name}", "rule": spot.rule, "unmapped_reason": held})  # fmt: skip
        method = str(p.get("payment_method") or "")
        credit = mapping.credits.get(method)
        legs.append({"category": CREDIT, "account": credit, "cost_center": None, "dimensions": None,
                     "contractor": None, "signed": -(total + reimbursement), "text": f"Contractors paid {method}",
                     "rule": f"contractors.credits.{method}" if credit else "",
                     "unmapped_reason": None if credit else f"payment method {method!r}: no account under "
                     "contractors.credits"})  # fmt: skip
    return legs


def contractor_lines(legs: list[dict[str, Any]]) -> pl.DataFrame:
    """Legs grouped into numbered lines (`LINE_SCHEMA`): one per contractor, amount and account; credits
    one per account. A group that nets negative (a correction payment) lands on the other side."""
    schema = {"category": pl.String, "account": pl.String, "cost_center": pl.String, "dimensions": pl.String,
              "contractor": pl.String, "signed": pl.Int64, "text": pl.String, "rule": pl.String,
              "unmapped_reason": pl.String}  # fmt: skip
    frame = pl.DataFrame(legs, schema=schema)
    keys = ["category", "account", "cost_center", "dimensions", "contractor", "unmapped_reason", "text"]
    lines = (
        frame.group_by(keys)
        .agg(s=pl.col("signed").sum(), rule=pl.col("rule").unique().sort().str.join("; "))
        .filter(pl.col("s") != 0)
        .with_columns(
            debit_cents=pl.when(pl.col("s") > 0).then(pl.col("s")).otherwise(0),
            credit_cents=pl.when(pl.col("s") < 0).then(-pl.col("s")).otherwise(0),
            employee_uuid=pl.col("contractor"),
            text=pl.col("text").str.slice(0, 40),
            _order=pl.col("category").replace_strict(ORDER, return_dtype=pl.Int64),
        )
        .sort(["_order", "text", "account", "cost_center", "unmapped_reason"], nulls_last=True)
    )
    return lines.with_columns(line_no=pl.int_range(1, pl.len() + 1, dtype=pl.Int64)).select(
        [pl.col(n).cast(t) for n, t in LINE_SCHEMA.items()]
    )


def _proofs(batch: Mapping[str, Any], unfunded: list[dict[str, Any]], lines: pl.DataFrame) -> JournalProofs:
    """Expense ties out to Gusto's `total` for the day (less what is unfunded); credits to what Gusto pays."""
    total = batch.get("total") or {}

    def debits(*categories: str) -> int:
        return int(lines.filter(pl.col("category").is_in(categories))["debit_cents"].sum() or 0) - int(
            lines.filter(pl.col("category").is_in(categories))["credit_cents"].sum() or 0
        )

    def waiting(name: str) -> int:
        return sum(to_cents(p.get(name), f"contractor payment {p.get('uuid')} {name}") for p in unfunded)

    wages = to_cents(total.get("wages"), "contractor payments total.wages") - waiting("wage_total")
    reimbursed = to_cents(total.get("reimbursements"), "total.reimbursements") - waiting("reimbursement")
    credits = int(lines.filter(pl.col("category") == CREDIT)["credit_cents"].sum() or 0) - int(
        lines.filter(pl.col("category") == CREDIT)["debit_cents"].sum() or 0
    )
    figures = (
        (TIE_OUT, "wages", wages, debits(WAGES, BONUS)),
        (TIE_OUT, "reimbursements", reimbursed, debits(REIMBURSEMENT)),
        (CASH_TIE_OUT, "contractor_payments", wages + reimbursed, credits),
    )
    differences = tuple(
        Difference(proof, name, want, got, True) for proof, name, want, got in figures if want != got
    )
    held = int(lines["unmapped_reason"].is_not_null().sum())
    notes = tuple(f"payment {p.get('uuid')} is {p.get('status')}: posted once Gusto funds it" for p in unfunded)
    return JournalProofs(prove_balanced(lines), differences, held, bool(total), notes)


def build_contractor_journal(
    batch: Mapping[str, Any],
    contractors: list[dict[str, Any]],
    mapping: ContractorMapping,
    departments: Mapping[str, str],
    *,
    connection_id: str = "",
    currency: str = "USD",
    mapping_version: str | None = None,
) -> Journal | None:
    """The day's journal, or None when Gusto shows no funded payment that day (nothing to post).

    `batch` is `{"date", "total", "payments"}` as the client reads it; `departments` maps department titles
    to the cost center of their rule in the mapping file."""
    day = dt.date.fromisoformat(str(batch["date"])[:10])
    payments = [p for p in batch.get("payments") or [] if p.get("status", FUNDED) == FUNDED]
    unfunded = [p for p in batch.get("payments") or [] if p.get("status", FUNDED) != FUNDED]
    if not payments:
        return None
    by_uuid = {str(c.get("uuid")): c for c in contractors}
    lines = contractor_lines(_legs(payments, by_uuid, mapping, departments))
    subject = contractor_subject(day)
    header = JournalHeader(
        payroll_uuid=subject, posting_date=day, date_basis="check_date",
        description=f"Gusto contractor payments {day.isoformat()}",
        external_reference=external_reference(connection_id, subject, 1), currency=currency,
        mapping_version=mapping_version, content_hash=lines_content_hash(lines, day.isoformat(), currency),
    )  # fmt: skip
    return Journal(header=header, lines=lines, proofs=_proofs(batch, unfunded, lines))
