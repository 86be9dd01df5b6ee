"""Cost-centre shares of debit legs, row by row, as ``shares.allocate_debit_shares`` gives them.

A percentage split cuts a leg by largest remainder; employer taxes and benefits follow the employee's
wage shares (payroll-level company taxes the whole payroll's) when those wages net to one sign, and
otherwise take their own rule.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from connector_assets.ledger import categories as c
from connector_assets.ledger.allocation import _ordered
from connector_assets.mapping.profiles import Match, per_mapping, split_weights

if TYPE_CHECKING:
    from connector_assets.mapping.model import MappingRules
    from connector_assets.mapping.resolve_rows import ItemRow

WAGES = frozenset({c.EARNING, c.CASH_TIPS})
# One cost-centre share: (leg index, cents, cost centre, follows wages?, cost-centre rule where it follows).
# Plain tuples: a resolution makes one per share, and a class instance costs several times more to build.
Share = tuple[int, int, str | None, bool, str | None]


class _Declined(Exception):
    """Weights summing to zero: the frame path's allocation answers."""


class _Parts:
    """Cost centres, weights and tie order of what a leg is cut over (a split, or wage centres).

    Every leg cut over the same parts shares this setup, and legs of equal amount share their cut.
    """

    __slots__ = ("centres", "cuts", "order", "weights", "whole")

    def __init__(self, centres: list[str | None], weights: list[int], ties: list[tuple[Any, ...]]) -> None:
        self.centres, self.weights, self.whole = centres, weights, sum(weights)
        # Parts in tie-key order: a stable sort on the remainder then breaks ties as the allocation does.
        self.order = sorted(range(len(ties)), key=ties.__getitem__)
        self.cuts: dict[int, list[int]] = {}

    def fresh(self) -> _Parts:
        """The same parts with no remembered cuts (what one resolution remembers is its own)."""
        parts = _Parts.__new__(_Parts)
        parts.centres, parts.weights, parts.whole, parts.order = self.centres, self.weights, self.whole, self.order
        parts.cuts = {}
        return parts

    def _cents(self, amount: int) -> list[int]:
        """Cents per part by largest remainder."""
        whole, weights = self.whole, self.weights
        if not whole:
            raise _Declined
        magnitude = abs(amount)
        exact = [magnitude * w for w in weights]
        shares = [e // whole for e in exact]
        left = magnitude - sum(shares)
        if left == 1:  # the usual case: the first part in tie order among the largest remainders
            shares[max(self.order, key=lambda i: exact[i] % whole)] += 1
        elif left:
            for i in sorted(self.order, key=lambda i: -(exact[i] % whole))[:left]:
                shares[i] += 1
        return [-x for x in shares] if amount < 0 else shares

    def cut(self, i: int, amount: int, follow: bool = False, rule: str | None = None) -> list[Share]:
        if follow and len(self.centres) == 1:
            return [(i, amount, self.centres[0], True, rule)]
        cents = self.cuts.get(amount)
        if cents is None:
            cents = self.cuts[amount] = self._cents(amount)
        return [(i, x, cc, follow, rule) for x, cc in zip(cents, self.centres, strict=True)]


def _split_parts(rules: MappingRules) -> dict[int, _Parts]:
    return {
        order: _Parts(
            [cc for cc, _, _ in parts],
            [w for _, w, _ in parts],
            [(_ordered(cc), _ordered(p)) for cc, _, p in parts],
        )
        for order, parts in split_weights(rules).items()
    }


def _proportions(by_centre: dict[str | None, int]) -> _Parts | None:
    """Wage weight per cost centre; none when the wages net to zero or mix signs."""
    centres = [cc for cc, w in by_centre.items() if w]
    weights = [w for w in by_centre.values() if w]
    if not sum(weights) or min(weights) < 0 < max(weights):
        return None
    return _Parts(centres, [abs(w) for w in weights], [(_ordered(cc),) for cc in centres])


def _shares(legs: list[ItemRow], matches: list[Match], templates: dict[int, _Parts]) -> list[Share]:
    splits: dict[int, _Parts] = {}

    def own(i: int) -> list[Share]:
        """The leg placed by its own rule: one cost centre, or a percentage split."""
        leg, match = legs[i], matches[i]
        if not match[3]:
            return [(i, leg.amount, match[2], False, None)]
        order: int = match[4]  # type: ignore[assignment]
        parts = splits.get(order)
        if parts is None:
            if order not in templates:
                raise _Declined
            parts = splits[order] = templates[order].fresh()
        return parts.cut(i, leg.amount)

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
    for i, cents, cc, _, _ in shares:
        leg = legs[i]
        if leg.category in WAGES:
            mine = by_employee.setdefault(leg.employee_uuid, {})
            mine[cc] = mine.get(cc, 0) + cents
            payroll[cc] = payroll.get(cc, 0) + cents
    followed: list[Share] = []
    proportions = {e: _proportions(w) for e, w in by_employee.items()}
    for i in employer:
        leg = legs[i]
        wages = proportions.get(leg.employee_uuid)
        followed += wages.cut(i, leg.amount, True, "follows wages") if wages else own(i)
    whole = _proportions(payroll) if company else None
    for i in company:
        key, match = legs[i].mapping_key, matches[i]
        named = key == c.COMPANY_TAX and (match[2] is not None or bool(match[3]))
        followed += (
            whole.cut(i, legs[i].amount, True, "follows the payroll's wages") if whole and not named else own(i)
        )
    return shares + followed


def allocate_debits(legs: list[ItemRow], matches: list[Match], rules: MappingRules) -> list[Share] | None:
    """Every debit leg's cost-centre shares; None where a split's weights sum to zero."""
    try:
        return _shares(legs, matches, per_mapping("split_parts", rules, _split_parts))
    except _Declined:
        return None
