"""The mapping file: one YAML file per connection, from Gusto payroll items to CloudSuite accounts.

Format (see ``example_mapping.yaml`` next to this module)::

    cost_center_field: cost_center   # optional: Gusto custom field that carries the cost centre
    earning_names:                   # optional: extra Gusto compensation names → earning type
      "Shift Premium": regular
    defaults:                        # one explicit default per debit key used; no implicit catch-all
      regular: {account: "6010", cost_center: "100"}
      employer_tax: {account: "6100"}
    credits:                         # entity-level credit accounts (no cost centre)
      net_pay_direct_deposit: "1090"
      net_pay_check: "2010"
      taxes: "1090"
      benefits: "2300"
      deductions: "2400"
      reimbursement_clearing: "1090"
      deductions_by_name: {"Child Support": "1090"}   # optional, also benefits_by_name
    employees: {<employee uuid>: RULE}
    jobs: {<job title or uuid>: RULE or [RULE, ...]}     # RULE may carry min_rate / max_rate
    departments: {<department title or uuid>: RULE}
    locations: {<location uuid>: RULE}
    splits:
      - {employee: <uuid>, cost_centers: {"300": 60, "400": 40}}   # or job: <title or uuid>

where ``RULE = {cost_center: "200", accounts: {<debit key>: "6011"}, dimensions: {AIT3: "X"}}``
(at least one of ``cost_center`` / ``accounts``). Debit keys are the earning types
(regular, overtime, double_overtime, pto, holiday, bonus, commission, paycheck_tips,
correction, severance, owners_draw) and cash_tips, employer_tax, employer_benefit,
reimbursement. Codes are quoted strings so leading zeros survive.

Precedence, most specific first, separately for the account and the cost centre:
employee (override or split) → job (with optional rate band, ``min_rate`` ≤ rate <
``max_rate``, rate in currency units as on the Gusto job) → the Gusto custom field named by
``cost_center_field`` (cost centre only) → department → location → ``defaults.<key>``.
A line no rule covers is held with a reason, never posted to a catch-all. Employer
taxes and benefit contributions follow the employee's allocated wages (fully loaded).

The version is the short sha256 of the canonical content: comments and layout do not change it.
"""

from __future__ import annotations

import hashlib
import json
import re
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import yaml

from connector_assets.ledger import categories as c
from connector_assets.mapping import model as m
from connector_assets.mapping.model import MappingRules, Rule

UUID_RE = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
TOP_KEYS = (
    "cost_center_field",
    "earning_names",
    "defaults",
    "credits",
    "employees",
    "jobs",
    "departments",
    "locations",
    "splits",
)
# libyaml's safe loader is ~20x faster; the pure-Python one is the same grammar.
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
RULE_KEYS = ("cost_center", "accounts", "dimensions")
BAND_KEYS = ("min_rate", "max_rate")


class MappingError(ValueError):
    """A mapping file that cannot be used; the message names the file, the key path and the fix."""


class _Parser:
    def __init__(self, source: str) -> None:
        self.source = source
        self.order = 0

    def fail(self, path: str, problem: str, fix: str) -> MappingError:
        return MappingError(f"{self.source}: {path}: {problem}; {fix}")

    def table(self, node: object, path: str, what: str) -> dict[str, Any]:
        if node is None:
            return {}
        if not isinstance(node, dict):
            raise self.fail(
                path, f"expected a mapping of {what}, got {type(node).__name__}", f"write {what} as key: value"
            )
        return {str(k): v for k, v in node.items()}

    def code(self, node: object, path: str, example: str, kind: str) -> str:
        if node is None or node == "":
            raise self.fail(path, "missing", f"write {kind} such as '{example}'")
        if isinstance(node, bool) or not isinstance(node, str | int):
            raise self.fail(path, f"{node!r} is not a code", f"write {kind} such as '{example}'")
        if isinstance(node, int):
            raise self.fail(path, f"{node} is a number", f"quote it as '{node}' so leading zeros survive")
        return node.strip()

    def money_cents(self, node: object, path: str) -> int:
        try:
            amount = Decimal(str(node))
        except InvalidOperation as exc:
            raise self.fail(path, f"{node!r} is not an amount", "write a rate such as '25.00'") from exc
        return int((amount * 100).to_integral_value())

    def known(self, node: dict[str, Any], path: str, allowed: tuple[str, ...]) -> None:
        for key in node:
            if key not in allowed:
                where = f"{path}.{key}" if path else key
                raise self.fail(where, "unknown key", f"use one of {', '.join(allowed)}")

    def rule(self, node: object, path: str, level: int, field: str | None, value: str | None, band: bool) -> Rule:
        body = self.table(node, path, "rule settings")
        self.known(body, path, RULE_KEYS + (BAND_KEYS if band else ()))
        if "cost_center" not in body and "accounts" not in body:
            raise self.fail(
                path, "empty rule", "give a cost_center such as '200' and/or accounts such as {regular: '6010'}"
            )
        cost_center = (
            self.code(body["cost_center"], f"{path}.cost_center", "200", "a cost center code")
            if "cost_center" in body
            else None
        )
        accounts = self.accounts(body.get("accounts"), f"{path}.accounts")
        dims = {
            k: self.code(v, f"{path}.dimensions.{k}", "X100", "a dimension value")
            for k, v in self.table(body.get("dimensions"), f"{path}.dimensions", "dimension values").items()
        }
        low = self.money_cents(body["min_rate"], f"{path}.min_rate") if "min_rate" in body else None
        high = self.money_cents(body["max_rate"], f"{path}.max_rate") if "max_rate" in body else None
        if low is not None and high is not None and low >= high:
            raise self.fail(
                f"{path}.max_rate", "not above min_rate", "make the band min_rate <= rate < max_rate non-empty"
            )
        self.order += 1
        return Rule(
            label=path,
            level=level,
            order=self.order,
            match_field=field,
            match_value=value,
            cost_center=cost_center,
            accounts=accounts,
            dimensions=dims,
            min_rate_cents=low,
            max_rate_cents=high,
        )

    def accounts(self, node: object, path: str) -> dict[str, str]:
        out = {}
        for key, value in self.table(node, path, "debit key: account").items():
            if key not in c.DEBIT_KEYS:
                raise self.fail(f"{path}.{key}", "unknown debit key", f"use one of {', '.join(c.DEBIT_KEYS)}")
            out[key] = self.code(value, f"{path}.{key}", "6000", "an account code")
        return out

    def defaults(self, node: object) -> list[Rule]:
        rules = []
        for key, value in self.table(node, "defaults", "debit key: {account, cost_center}").items():
            path = f"defaults.{key}"
            if key not in c.DEBIT_KEYS:
                raise self.fail(path, "unknown debit key", f"use one of {', '.join(c.DEBIT_KEYS)}")
            body = self.table(value, path, "account and cost_center")
            self.known(body, path, ("account", "cost_center", "dimensions"))
            account = self.code(body.get("account"), f"{path}.account", "6000", "an account code")
            cost_center = (
                self.code(body["cost_center"], f"{path}.cost_center", "100", "a cost center code")
                if "cost_center" in body
                else None
            )
            dims = {
                k: self.code(v, f"{path}.dimensions.{k}", "X100", "a dimension value")
                for k, v in self.table(body.get("dimensions"), f"{path}.dimensions", "dimension values").items()
            }
            self.order += 1
            rules.append(
                Rule(
                    label=path,
                    level=m.DEFAULT,
                    order=self.order,
                    match_field=None,
                    match_value=None,
                    scope=key,
                    cost_center=cost_center,
                    accounts={key: account},
                    dimensions=dims,
                )
            )
        return rules

    def keyed(self, node: object, section: str, level: int, uuid_field: str, name_field: str | None) -> list[Rule]:
        rules = []
        for key, value in self.table(node, section, f"{section} rules").items():
            field = uuid_field if name_field is None or UUID_RE.match(key) else name_field
            path = f"{section}.{key}"
            bodies = value if isinstance(value, list) else [value]
            if level != m.JOB and isinstance(value, list):
                raise self.fail(path, "a list of rules", "only jobs may list several rules (with rate bands)")
            for i, body in enumerate(bodies):
                label = f"{path}[{i}]" if isinstance(value, list) else path
                rules.append(self.rule(body, label, level, field, key, band=level == m.JOB))
        return rules

    def splits(self, node: object) -> list[Rule]:
        if node is None:
            return []
        if not isinstance(node, list):
            raise self.fail("splits", "expected a list", "write splits as a list of {employee|job, cost_centers}")
        rules = []
        for i, entry in enumerate(node):
            path = f"splits[{i}]"
            body = self.table(entry, path, "split settings")
            self.known(body, path, ("employee", "job", "cost_centers"))
            if ("employee" in body) == ("job" in body):
                raise self.fail(
                    path,
                    "needs exactly one of employee / job",
                    "name the employee uuid or the job title/uuid it splits",
                )
            if "employee" in body:
                level, field, value = (
                    m.EMPLOYEE,
                    "employee_uuid",
                    self.code(body["employee"], f"{path}.employee", "<uuid>", "an employee uuid"),
                )
            else:
                value = self.code(body["job"], f"{path}.job", "Field Technician", "a job title or uuid")
                level, field = m.JOB, "job_uuid" if UUID_RE.match(value) else "job_title"
            shares = []
            for cc, pct in self.table(
                body.get("cost_centers"), f"{path}.cost_centers", "cost center: percent"
            ).items():
                try:
                    share = Decimal(str(pct))
                except InvalidOperation as exc:
                    raise self.fail(
                        f"{path}.cost_centers.{cc}", f"{pct!r} is not a percentage", "write a number such as 60"
                    ) from exc
                if not share.is_finite() or share <= 0:
                    raise self.fail(
                        f"{path}.cost_centers.{cc}", f"{pct!r} is not positive", "give a percentage above 0"
                    )
                shares.append((cc.strip(), share))
            if len(shares) < 2:
                raise self.fail(
                    f"{path}.cost_centers",
                    "fewer than two cost centers",
                    "a split needs two or more; use cost_center on a rule instead",
                )
            total = sum((s for _, s in shares), Decimal(0))
            if total != 100:
                raise self.fail(
                    f"{path}.cost_centers", f"percentages sum to {total}", "they must sum to exactly 100"
                )
            self.order += 1
            rules.append(
                Rule(
                    label=path,
                    level=level,
                    order=self.order,
                    match_field=field,
                    match_value=value,
                    split=tuple(shares),
                )
            )
        return rules

    def credits(self, node: object) -> tuple[dict[str, str], dict[str, str], dict[str, str]]:
        body = self.table(node, "credits", "credit accounts")
        self.known(body, "credits", (*c.CREDIT_KEYS, "deductions_by_name", "benefits_by_name"))
        for key in c.REQUIRED_CREDIT_KEYS:
            if key not in body:
                raise self.fail(
                    f"credits.{key}", "missing", "write a clearing or liability account code such as '1090'"
                )
        plain = {
            k: self.code(v, f"credits.{k}", "1090", "an account code")
            for k, v in body.items()
            if k in c.CREDIT_KEYS
        }
        by_name = [
            {
                k: self.code(v, f"credits.{section}.{k}", "2400", "an account code")
                for k, v in self.table(body.get(section), f"credits.{section}", "name: account").items()
            }
            for section in ("deductions_by_name", "benefits_by_name")
        ]
        return plain, by_name[0], by_name[1]

    def earning_names(self, node: object) -> dict[str, str]:
        out = {}
        for name, subtype in self.table(node, "earning_names", "Gusto name: earning type").items():
            if subtype not in c.EARNING_SUBTYPES:
                raise self.fail(
                    f"earning_names.{name}",
                    f"unknown earning type {subtype!r}",
                    f"use one of {', '.join(c.EARNING_SUBTYPES)}",
                )
            out[name.strip().lower()] = str(subtype)
        return out


def mapping_version(data: object) -> str:
    """Short sha256 of the canonical content (key order and comments do not matter)."""
    canonical = json.dumps(data, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()[:12]


def parse_mapping(text: str, source: str = "mapping.yaml") -> MappingRules:
    """Parse and validate mapping YAML; raises ``MappingError`` naming ``source``, the key path and the fix."""
    try:
        data = yaml.load(text, Loader=_LOADER)  # noqa: S506 - a safe loader, C-accelerated when available
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}" if mark is not None else "document"
        raise MappingError(
            f"{source}: {where}: not valid YAML; fix the syntax ({getattr(exc, 'problem', exc)})"
        ) from exc
    p = _Parser(source)
    root = p.table(data, "(top level)", "sections")
    p.known(root, "", TOP_KEYS)
    if "defaults" not in root or not root["defaults"]:
        raise p.fail(
            "defaults",
            "missing",
            "write at least one explicit default such as regular: {account: '6010', cost_center: '100'}",
        )
    if "credits" not in root:
        raise p.fail("credits", "missing", f"name the credit accounts {', '.join(c.REQUIRED_CREDIT_KEYS)}")
    field = root.get("cost_center_field")
    if field is not None and (not isinstance(field, str) or not field.strip()):
        raise p.fail(
            "cost_center_field",
            f"{field!r} is not a field name",
            "write the Gusto custom field name such as 'cost_center'",
        )
    rules = p.keyed(root.get("employees"), "employees", m.EMPLOYEE, "employee_uuid", None)
    rules += p.keyed(root.get("jobs"), "jobs", m.JOB, "job_uuid", "job_title")
    rules += p.keyed(root.get("departments"), "departments", m.DEPARTMENT, "department_uuid", "department")
    rules += p.keyed(root.get("locations"), "locations", m.LOCATION, "location_uuid", None)
    split_rules = p.splits(root.get("splits"))
    overridden = {r.match_value for r in rules if r.level == m.EMPLOYEE and r.cost_center}
    for r in split_rules:
        if r.level == m.EMPLOYEE and r.match_value in overridden:
            raise p.fail(
                r.label,
                f"employee {r.match_value} also has employees.{r.match_value}.cost_center",
                "keep either the split or the single cost_center",
            )
    credits, deductions_by_name, benefits_by_name = p.credits(root["credits"])
    return MappingRules(
        source=source,
        version=mapping_version(data),
        rules=tuple(rules + split_rules + p.defaults(root["defaults"])),
        credits=credits,
        deductions_by_name=deductions_by_name,
        benefits_by_name=benefits_by_name,
        earning_names=p.earning_names(root.get("earning_names")),
        cost_center_field=field.strip() if isinstance(field, str) else None,
    )


def load_mapping_file(path: str | Path) -> MappingRules:
    """Read and parse one mapping file; errors name the file."""
    target = Path(path)
    try:
        text = target.read_text(encoding="utf-8")
    except OSError as exc:
        raise MappingError(
            f"{target}: cannot read the mapping file ({exc.strerror}); check the connection's mapping path"
        ) from exc
    return parse_mapping(text, source=target.name)
