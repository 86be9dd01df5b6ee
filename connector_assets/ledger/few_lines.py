"""Journal lines' groups of legs, and the few lines of a summarized journal finished in plain Python.

A summarized journal has a hundred lines or so: past the one group-by of its legs, a loop over the
lines costs less than the frame operations' fixed cost. Same lines as the frame path in ``journal``: the
same sums, rule text and order.
"""

from __future__ import annotations

import polars as pl

from connector_assets.ledger import categories as c

KEYS = ["role", "account", "cost_center", "dimensions", "employee_uuid", "unmapped_reason"]


def _rule_text(rules: list[str | None]) -> str:
    """The rules of a line (sorted): the first three and how many more; a join skips nulls."""
    more = len(rules) - 3
    if more > 0:
        return "; ".join(r for r in rules[:3] if r is not None) + f" (+{more} more)"
    return "; ".join(r for r in rules if r is not None)


def line_groups(resolved: pl.DataFrame, summarized: bool) -> pl.DataFrame:
    """Legs summed by line (``KEYS``): held legs stay per employee; the rest too unless ``summarized``."""
    held = pl.col("unmapped_reason").is_not_null()
    employee = pl.when(held).then("employee_uuid") if summarized else pl.col("employee_uuid")
    signed = pl.when(pl.col("side") == "debit").then(pl.col("amount_cents")).otherwise(-pl.col("amount_cents"))
    legs = resolved.with_columns(employee_uuid=employee, _signed=signed)
    return legs.group_by(KEYS).agg(s=pl.col("_signed").sum(), rules=pl.col("rule").unique().sort())


def lines_in_python(groups: pl.DataFrame, schema: dict[str, pl.DataType]) -> pl.DataFrame:
    """Numbered journal lines (``schema``) of ``line_groups``: a group that nets to nothing makes no line."""
    rows = []
    columns = [groups[name].to_list() for name in (*KEYS, "s", "rules")]
    last = len(c.ROLE_ORDER)
    for role, account, cc, dims, emp, reason, s, rules in zip(*columns, strict=True):
        if s == 0 and reason is None:
            continue
        order = None if role is None else c.ROLE_ORDER.get(role, last)
        text = None if role is None else c.ROLE_TEXT.get(role, role)
        # Sorted as the frame path sorts: by each key, nulls last.
        sort_key = (
            (order is None, order or 0),
            (account is None, account or ""),
            (cc is None, cc or ""),
            (dims is None, dims or ""),
            (emp is None, emp or ""),
            (reason is None, reason or ""),
            (role is None, role or ""),
        )
        rows.append(
            (sort_key, account, cc, dims, max(s, 0), max(-s, 0), emp, role, text, _rule_text(rules), reason)
        )
    rows.sort(key=lambda row: row[0])
    return pl.DataFrame([(i, *row[1:]) for i, row in enumerate(rows, start=1)], schema=schema, orient="row")
