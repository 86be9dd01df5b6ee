"""The cross-check's arithmetic: net amounts per account and cost center, posted against expected (pure)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from connector_assets.ledger.money import format_cents

# (account, cost center or "", signed cents: debit positive)
Line = tuple[str, str, int]


@dataclass(frozen=True)
class Difference:
    """One account and cost center whose posted net differs from what Gusto's payrolls say."""

    account: str
    cost_center: str
    posted_cents: int
    expected_cents: int

    @property
    def difference_cents(self) -> int:
        return self.posted_cents - self.expected_cents

    def describe(self) -> str:
        return (
            f"account {self.account} cost center {self.cost_center or '-'}: posted {format_cents(self.posted_cents)}, "
            f"expected {format_cents(self.expected_cents)}, difference {format_cents(self.difference_cents)}"
        )


def net(lines: Iterable[Line]) -> dict[tuple[str, str], int]:
    """Net signed cents per (account, cost center)."""
    totals: dict[tuple[str, str], int] = {}
    for account, cost_center, cents in lines:
        key = (account, cost_center or "")
        totals[key] = totals.get(key, 0) + cents
    return totals


def compare(posted: Iterable[Line], expected: Iterable[Line]) -> list[Difference]:
    """Every (account, cost center) whose posted net is not the expected net, sorted."""
    have, want = net(posted), net(expected)
    return [
        Difference(account, cc, have.get((account, cc), 0), want.get((account, cc), 0))
        for account, cc in sorted(set(have) | set(want))
        if have.get((account, cc), 0) != want.get((account, cc), 0)
    ]


def differences_table(differences: Iterable[Difference]) -> str:
    """The differences as a Markdown table (exact decimals)."""
    rows = ["| account | cost center | posted | expected | difference |", "|---|---|---|---|---|"]
    rows += [
        f"| {d.account} | {d.cost_center} | {format_cents(d.posted_cents)} | {format_cents(d.expected_cents)} | "
        f"{format_cents(d.difference_cents)} |"
        for d in differences
    ]
    return "\n".join(rows)
