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


def _largest_remainder(amount: int, weights: Sequence[int], order: Sequence[int], whole: int) -> list[int]:
    """Cents per part by largest remainder; ``order`` lists the parts by tie key, so a stable sort on the
    remainder breaks ties as the allocation does."""
    magnitude = abs(amount)
    exact = [magnitude * w for w in weights]
    shares = [e // whole for e in exact]
    left = magnitude - sum(shares)
    if left:
        for i in sorted(order, key=lambda i: -(exact[i] % whole))[:left]:
            shares[i] += 1
    return [-x for x in shares] if amount < 0 else shares


class _Parts:
    """Cost centres, weights and tie order of what a leg is cut over (a split, or wage centres).

    Every leg cut over the same parts shares this setup, and legs of equal amount share their cut.
    """

    __slots__ = ("centres", "cuts", "order", "weights", "whole")

    def __init__(self, parts: Sequence[tuple[str | None, int, tuple[Any, ...]]]) -> None:
        self.centres = [cc for cc, _, _ in parts]
        self.weights = [w for _, w, _ in parts]
        ties = [tuple(map(_ordered, tie)) for _, _, tie in parts]
        self.order = sorted(range(len(ties)), key=ties.__getitem__)
        self.whole = sum(self.weights)
        self.cuts: dict[int, list[int]] = {}

    def cut(self, i: int, leg: ItemRow, follow: bool = False, rule: str | None = None) -> list[Share]:
        amount = leg.amount
        if len(self.centres) == 1 and follow:
            return [Share(i, amount, self.centres[0], True, rule)]
        cents = self.cuts.get(amount)
        if cents is None:
            if not self.whole:
                raise _Declined
            cents = self.cuts[amount] = _largest_remainder(amount, self.weights, self.order, self.whole)
        return [Share(i, x, cc, follow, rule) for x, cc in zip(cents, self.centres, strict=True)]


def _proportions(by_centre: dict[str | None, int]) -> _Parts | None:
    """Wage weight per cost centre; none when the wages net to zero or mix signs."""
    kept = [(cc, w) for cc, w in by_centre.items() if w != 0]
    if sum(w for _, w in kept) == 0 or (any(w > 0 for _, w in kept) and any(w < 0 for _, w in kept)):
        return None
    return _Parts([(cc, abs(w), (cc,)) for cc, w in kept])


def _shares(
    legs: list[ItemRow], matches: list[Match], weights: dict[int, list[tuple[str, int, int]]]
) -> list[Share]:
    splits: dict[int, _Parts] = {}

    def own(i: int) -> list[Share]:
        """The leg placed by its own rule: one cost centre, or a percentage split."""
        leg, match = legs[i], matches[i]
        if not match[3]:
            return [Share(i, leg.amount, match[2])]
        order: int = match[4]  # type: ignore[assignment]
        if order not in splits:
            splits[order] = _Parts([(cc, w, (cc, pos)) for cc, w, pos in weights.get(order, [])])
        return splits[order].cut(i, leg)

    shares: list[Share] = []
    employer, company = [], []
    for i, leg in enumerate(legs):
        if leg.category not in c.FOLLOWS_WAGES:
            shares += own(i)
        elif leg.employee_uuid is None:
            company.append(i)
        else:
            employer.append(i)
    by_employee: dict[str | None, dict[str | None, int]] = {}
    payroll: dict[str | None, int] = {}
    for s in shares:
        leg = legs[s.leg]
        if leg.category in WAGES:
            mine = by_employee.setdefault(leg.employee_uuid, {})
            mine[s.cost_center] = mine.get(s.cost_center, 0) + s.cents
            payroll[s.cost_center] = payroll.get(s.cost_center, 0) + s.cents
    followed: list[Share] = []
    proportions = {e: _proportions(w) for e, w in by_employee.items()}
    for i in employer:
        wages = proportions.get(legs[i].employee_uuid)
        followed += wages.cut(i, legs[i], True, "follows wages") if wages else own(i)
    whole = _proportions(payroll) if company else None
    for i in company:
        key, match = legs[i].mapping_key, matches[i]
        named = key == c.COMPANY_TAX and (match[2] is not None or bool(match[3]))
        followed += whole.cut(i, legs[i], True, "follows the payroll's wages") if whole and not named else own(i)
    return shares + followed


def allocate_debits(
    legs: list[ItemRow], matches: list[Match], weights: dict[int, list[tuple[str, int, int]]]
) -> list[Share] | None:
    """Every debit leg's cost-centre shares; None where a split's weights sum to zero."""
    try:
        return _shares(legs, matches, weights)
    except _Declined:
        return None
