"""A hand edit of a posted line, as a user with GL rights might make one after the fact (admin only).

M3: a line of a posted voucher (found by its KEY1); SyteLine: a journal row, entered or moved to the ledger
(found by its Reference). Only the amount changes; nothing rebalances the document.
"""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from typing import Any

from connector_assets.sandbox.ion.state import IonState


def alter_posted_line(
    state: IonState, key: str, account: str, amount: Decimal, cost_center: str | None = None
) -> dict[str, Any]:
    """Set the amount of the first posted line on `account` (and `cost_center`, when given) under `key`."""
    with state.lock:
        for voucher in state.vouchers:
            if voucher.key1 != key:
                continue
            for n, line in enumerate(voucher.lines):
                if line.dims[0] == account and (cost_center is None or cost_center in line.dims[1:]):
                    voucher.lines[n] = replace(line, amount=amount)
                    return {"key": key, "account": account, "was": str(line.amount), "now": str(amount)}
        for rows in (state.journals, state.ledgers):
            for n, row in enumerate(rows):
                if (
                    row.reference == key
                    and row.account == account
                    and (cost_center is None or cost_center in row.units)
                ):
                    rows[n] = replace(row, amount=amount)
                    return {"key": key, "account": account, "was": str(row.amount), "now": str(amount)}
    raise KeyError(f"no posted line on account {account} under {key}")
