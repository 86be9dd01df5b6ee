"""The `contractors` section of a mapping file: where Gusto contractor payments post.

    contractors:
      accounts:                      # expense accounts by amount; an amount whose account is missing holds
        wages: "6400"                #   hours x rate + fixed wage
        bonus: "6400"
        reimbursement: "6310"
      credits:                       # the cash or clearing account per Gusto payment_method
        "Direct Deposit": "1090"
        "Check": "2010"
      rules:                         # contractor uuid, or its name as Gusto shows it (business or first last)
        "Northwind Design LLC": {cost_center: "CC200"}
        "<contractor uuid>": {department: "Engineering", accounts: {wages: "6410"}, dimensions: {AIT3: "X"}}

A rule gives a `cost_center`, or a `department` whose rule under `departments` supplies it, and may
override accounts. A contractor with no rule is held, never posted to a guessed cost center; so is a
payment method with no credit account.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from connector_assets.mapping.errors import MappingError
from connector_assets.mapping.parser import SectionParser

SECTION = "contractors"
AMOUNT_KEYS = ("wages", "bonus", "reimbursement")
PAYMENT_METHODS = ("Direct Deposit", "Check", "Historical Payment", "Correction Payment")
RULE_KEYS = ("cost_center", "department", "accounts", "dimensions")


@dataclass(frozen=True)
class ContractorRule:
    """Where one contractor's expense goes."""

    label: str
    match: str  # contractor uuid or name
    cost_center: str | None = None
    department: str | None = None
    accounts: Mapping[str, str] = field(default_factory=dict)
    dimensions: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class ContractorMapping:
    """The parsed `contractors` section (empty when the file has none: every contractor payment holds)."""

    accounts: Mapping[str, str] = field(default_factory=dict)
    credits: Mapping[str, str] = field(default_factory=dict)
    rules: tuple[ContractorRule, ...] = ()

    def rule_for(self, contractor_uuid: str, names: tuple[str, ...] = ()) -> ContractorRule | None:
        """The contractor's rule: by uuid first, then by any of its names."""
        by_match = {r.match: r for r in self.rules}
        for key in (contractor_uuid, *names):
            if key and key in by_match:
                return by_match[key]
        return None

    def accounts_used(self) -> list[tuple[str, str]]:
        """Every (mapping path, account) this section can post to."""
        used = [(f"{SECTION}.accounts.{k}", a) for k, a in self.accounts.items()]
        used += [(f"{SECTION}.credits.{k}", a) for k, a in self.credits.items()]
        used += [(f"{r.label}.accounts.{k}", a) for r in self.rules for k, a in r.accounts.items()]
        return used

    def cost_centers_used(self) -> list[tuple[str, str]]:
        return [(f"{r.label}.cost_center", r.cost_center) for r in self.rules if r.cost_center]


def contractor_name(contractor: Mapping[str, Any] | None) -> str:
    """The contractor's name as Gusto shows it: the business name, else first and last name."""
    if not contractor:
        return ""
    business = str(contractor.get("business_name") or "").strip()
    person = " ".join(str(contractor.get(k) or "").strip() for k in ("first_name", "last_name")).strip()
    return business or person


def parse_contractors(node: object, source: str = "mapping.yaml") -> ContractorMapping:
    """Parse the section; errors name the file, the key path and the fix."""
    p = SectionParser(source)
    body = p.table(node, SECTION, "contractor settings")
    p.known(body, SECTION, ("accounts", "credits", "rules"))
    accounts = {}
    for key, value in p.table(body.get("accounts"), f"{SECTION}.accounts", "amount: account").items():
        if key not in AMOUNT_KEYS:
            raise p.fail(f"{SECTION}.accounts.{key}", "unknown amount", f"use one of {', '.join(AMOUNT_KEYS)}")
        accounts[key] = p.code(value, f"{SECTION}.accounts.{key}", "6400", "an account code")
    credits = {}
    for key, value in p.table(body.get("credits"), f"{SECTION}.credits", "payment method: account").items():
        if key not in PAYMENT_METHODS:
            raise p.fail(
                f"{SECTION}.credits.{key}", "unknown payment method", f"use one of {', '.join(PAYMENT_METHODS)}"
            )
        credits[key] = p.code(value, f"{SECTION}.credits.{key}", "1090", "an account code")
    rules = [
        _rule(p, key, value) for key, value in p.table(body.get("rules"), f"{SECTION}.rules", "rules").items()
    ]
    return ContractorMapping(accounts, credits, tuple(rules))


def _rule(p: SectionParser, key: str, node: object) -> ContractorRule:
    path = f"{SECTION}.rules.{key}"
    body = p.table(node, path, "rule settings")
    p.known(body, path, RULE_KEYS)
    if "cost_center" in body and "department" in body:
        raise p.fail(
            path, "both cost_center and department", "give one: the department's rule supplies the cost center"
        )
    if not body:
        raise p.fail(
            path, "empty rule", "give a cost_center such as 'CC200' or a department such as 'Engineering'"
        )
    accounts = {}
    for k, v in p.table(body.get("accounts"), f"{path}.accounts", "amount: account").items():
        if k not in AMOUNT_KEYS:
            raise p.fail(f"{path}.accounts.{k}", "unknown amount", f"use one of {', '.join(AMOUNT_KEYS)}")
        accounts[k] = p.code(v, f"{path}.accounts.{k}", "6400", "an account code")
    dims = {
        k: p.code(v, f"{path}.dimensions.{k}", "X100", "a dimension value")
        for k, v in p.table(body.get("dimensions"), f"{path}.dimensions", "dimension values").items()
    }
    return ContractorRule(
        label=path,
        match=key.strip(),
        cost_center=p.code(body["cost_center"], f"{path}.cost_center", "CC200", "a cost center code")
        if "cost_center" in body else None,
        department=p.code(body["department"], f"{path}.department", "Engineering", "a department title")
        if "department" in body else None,
        accounts=accounts,
        dimensions=dims,
    )  # fmt: skip


def contractor_mapping_from_text(text: str, source: str = "mapping.yaml") -> ContractorMapping:
    """The section of a whole mapping file's YAML (the file's other sections are parsed by `rules`)."""
    try:
        data: Any = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise MappingError(f"{source}: not valid YAML; fix the syntax ({exc})") from exc
    if not isinstance(data, dict) or data.get(SECTION) is None:
        return ContractorMapping()
    return parse_contractors(data[SECTION], source)


def load_contractor_mapping(path: str | Path) -> ContractorMapping:
    """Read a connection's mapping file and parse its `contractors` section."""
    target = Path(path)
    try:
        text = target.read_text(encoding="utf-8")
    except OSError as exc:
        raise MappingError(f"{target}: cannot read the mapping file ({exc.strerror})") from exc
    return contractor_mapping_from_text(text, target.name)
