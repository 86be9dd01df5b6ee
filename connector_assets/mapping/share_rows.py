"""Cost-centre shares of debit legs, row by row, as ``shares.allocate_debit_shares`` gives them.

A percentage split cuts a leg by largest remainder; employer taxes and benefits follow the employee's
wage shares (payroll-level company taxes the whole payroll's) when those wages net to one sign, and
otherwise take their own rule.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from connector_assets.ledger import categories as c
from connector_assets.ledger.allocation import _ordered
from connector_assets.mapping.profiles import Match

if TYPE_CHECKING:
    from connector_assets.mapping.resolve_rows import ItemRow

WAGES = frozenset({c.EARNING, c.CASH_TIPS})


@dataclass(slots=True)
class Share:
    """One cost-centre share of the leg at index ``leg``; ``cc_rule`` is set where it follows wages."""

    leg: int
    cents: int
    cost_center: str | None
    follow: bool = False
    cc_rule: str | None = None


class _Declined(Exception):
    """Weights summing to zero: the frame path's allocation answers."""


def _largest_remainder(amount: int, parts: Sequence[tuple[int, tuple[Any, ...]]]) -> list[tuple[int, int]]:
    """(part index, cents) by largest remainder over (weight, tie key) parts, in the allocation's order."""
    whole = sum(w for w, _ in parts)
    if not whole:
        raise _Declined
    magnitude = abs(amount)
    exact = [magnitude * w for w, _ in parts]
    ranked = sorted(range(len(parts)), key=lambda i: (-(exact[i] % whole), *map(_ordered, parts[i][1])))
    left = magnitude - sum(e // whole for e in exact)
    out = []
    for rank, i in enumerate(ranked):
        share = exact[i] // whole + (rank < left)
        out.append((i, -share if amount < 0 else share))
    return out


def _own(i: int, leg: ItemRow, match: Match, weights: dict[int, list[tuple[str, int, int]]]) -> list[Share]:
    """The leg placed by its own rule: one cost centre, or a percentage split."""
    if not match[3]:
        return [Share(i, leg.amount, match[2])]
    parts = weights.get(match[4], [])  # type: ignore[arg-type]
    cut = _largest_remainder(leg.amount, [(w, (cc, pos)) for cc, w, pos in parts])
    return [Share(i, cents, parts[k][0]) for k, cents in cut]


def _proportions(by_centre: dict[str | None, int]) -> list[tuple[str | None, int]]:
    """Wage weight per cost centre; none when the wages net to zero or mix signs."""
    kept = [(cc, w) for cc, w in by_centre.items() if w != 0]
    if sum(w for _, w in kept) == 0 or (any(w > 0 for _, w in kept) and any(w < 0 for _, w in kept)):
        return []
    return [(cc, abs(w)) for cc, w in kept]


def _follow(i: int, leg: ItemRow, wages: list[tuple[str | None, int]], rule: str) -> list[Share]:
    if len(wages) == 1:
        return [Share(i, leg.amount, wages[0][0], True, rule)]
    cut = _largest_remainder(leg.amount, [(w, (cc,)) for cc, w in wages])
    return [Share(i, cents, wages[k][0], True, rule) for k, cents in cut]


def _shares(
    legs: list[ItemRow], matches: list[Match], weights: dict[int, list[tuple[str, int, int]]]
) -> list[Share]:
    shares: list[Share] = []
    employer, company = [], []
    for i, leg in enumerate(legs):
        if leg.category not in c.FOLLOWS_WAGES:
            shares += _own(i, leg, matches[i], weights)
        elif leg.employee_uuid is None:
            company.append(i)
        else:
            employer.append(i)
    by_employee: dict[str, dict[str | None, int]] = {}
    payroll: dict[str | None, int] = {}
    for s in shares:
        leg = legs[s.leg]
        if leg.category in WAGES:
            mine = by_employee.setdefault(leg.employee_uuid, {})  # type: ignore[arg-type]
            mine[s.cost_center] = mine.get(s.cost_center, 0) + s.cents
            payroll[s.cost_center] = payroll.get(s.cost_center, 0) + s.cents
    followed: list[Share] = []
    proportions = {e: _proportions(w) for e, w in by_employee.items()}
    for i in employer:
        wages = proportions.get(legs[i].employee_uuid, [])  # type: ignore[arg-type]
        followed += _follow(i, legs[i], wages, "follows wages") if wages else _own(i, legs[i], matches[i], weights)
    whole = _proportions(payroll) if company else []
    for i in company:
        key, match = legs[i].mapping_key, matches[i]
        named = key == c.COMPANY_TAX and (match[2] is not None or bool(match[3]))
        if whole and not named:
            followed += _follow(i, legs[i], whole, "follows the payroll's wages")
        else:
            followed += _own(i, legs[i], match, weights)
    return shares + followed


def allocate_debits(
    legs: list[ItemRow], matches: list[Match], weights: dict[int, list[tuple[str, int, int]]]
) -> list[Share] | None:
    """Every debit leg's cost-centre shares; None where a split's weights sum to zero."""
    try:
        return _shares(legs, matches, weights)
    except _Declined:
        return None
