"""Parsed mapping rules: plain frozen dataclasses, no parsing or I/O."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Final

# Precedence levels, most specific first (payroll-accounting §6).
EMPLOYEE: Final = 0
JOB: Final = 1
CUSTOM_FIELD: Final = 2
DEPARTMENT: Final = 3
LOCATION: Final = 4
DEFAULT: Final = 5


@dataclass(frozen=True)
class Rule:
    """One rule: who it matches and what it sets (account per debit key, cost centre, split)."""

    label: str
    level: int
    order: int
    match_field: str | None
    match_value: str | None
    scope: str | None = None
    cost_center: str | None = None
    accounts: Mapping[str, str] = field(default_factory=dict)
    split: tuple[tuple[str, Decimal], ...] = ()
    dimensions: Mapping[str, str] = field(default_factory=dict)
    min_rate_cents: int | None = None
    max_rate_cents: int | None = None

    @property
    def dimensions_text(self) -> str:
        """Dimensions as one canonical string (``AIT3=X;AIT4=Y``), empty when none."""
        return ";".join(f"{k}={v}" for k, v in sorted(self.dimensions.items()))


@dataclass(frozen=True)
class NamedAccounts:
    """Accounts of one Gusto tax or benefit by name: the expense (employer share) and the liability."""

    expense: str | None = None
    liability: str | None = None


@dataclass(frozen=True)
class TaxAccounts:
    """The ``taxes:`` section: per-tax accounts when itemized, refunds and deferred taxes in every mode."""

    by_name: Mapping[str, NamedAccounts] = field(default_factory=dict)
    default: NamedAccounts = NamedAccounts()
    receivable: str | None = None
    deferred: str | None = None

    def covers(self, name: str) -> bool:
        """True when a rule names this Gusto tax (case and spacing ignored)."""
        return name.strip().lower() in {n.strip().lower() for n in self.by_name}


@dataclass(frozen=True)
class MappingRules:
    """A connection's whole mapping, with the content version every journal records."""

    source: str
    version: str
    rules: tuple[Rule, ...]
    credits: Mapping[str, str]
    deductions_by_name: Mapping[str, str] = field(default_factory=dict)
    benefits_by_name: Mapping[str, str] = field(default_factory=dict)
    earning_names: Mapping[str, str] = field(default_factory=dict)
    cost_center_field: str | None = None
    taxes: TaxAccounts = TaxAccounts()
    benefit_expenses: Mapping[str, str] = field(default_factory=dict)
    # `benefits:` rules by Gusto benefit type id: type -> (the rule's key, its accounts).
    benefit_types: Mapping[int, tuple[str, NamedAccounts]] = field(default_factory=dict)
    # Benefit name -> the rule that placed it when not its own name rule (a type rule), for line labels.
    benefit_labels: Mapping[str, str] = field(default_factory=dict)

    def benefit_covered(self, name: str) -> bool:
        """True when a rule names this Gusto benefit (case and spacing ignored)."""
        wanted = name.strip().lower()
        return any(n.strip().lower() == wanted for n in (*self.benefit_expenses, *self.benefits_by_name))

    def accounts_used(self) -> list[tuple[str, str]]:
        """Every (rule label, account) the mapping can post to."""
        used = [
            (f"{r.label}.accounts.{k}" if r.level != DEFAULT else f"{r.label}.account", a)
            for r in self.rules
            for k, a in r.accounts.items()
        ]
        used += [(f"credits.{k}", a) for k, a in self.credits.items()]
        used += [(f"credits.deductions_by_name.{k}", a) for k, a in self.deductions_by_name.items()]
        used += [(f"credits.benefits_by_name.{k}", a) for k, a in self.benefits_by_name.items()]
        used += [(f"benefits.{k}.expense", a) for k, a in self.benefit_expenses.items()]
        used += [(f"benefits.{key}.{side}", a) for key, v in self.benefit_types.values()
                 for side, a in vars(v).items() if a]  # fmt: skip
        t = self.taxes
        named = [(f"taxes.by_name.{k}", v) for k, v in t.by_name.items()] + [("taxes.default", t.default)]
        used += [(f"{label}.{side}", a) for label, v in named for side, a in vars(v).items() if a]
        used += [(f"taxes.{k}", a) for k, a in (("receivable", t.receivable), ("deferred", t.deferred)) if a]
        return used

    def cost_centers_used(self) -> list[tuple[str, str]]:
        """Every (rule label, cost centre) the mapping can post to."""
        used = [(f"{r.label}.cost_center", r.cost_center) for r in self.rules if r.cost_center]
        used += [(f"{r.label}.cost_centers.{cc}", cc) for r in self.rules for cc, _ in r.split]
        return used
