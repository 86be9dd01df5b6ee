"""Section parsers of the mapping file; each error names the file, the key path and the fix."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Any

from connector_assets.ledger import categories as c
from connector_assets.mapping import model as m
from connector_assets.mapping.errors import MappingError
from connector_assets.mapping.model import Rule

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
    "taxes",
    "benefits",
    "contractors",  # parsed by mapping.contractors (contractor payments post as journals of their own)
)
RULE_KEYS = ("cost_center", "accounts", "dimensions")
BAND_KEYS = ("min_rate", "max_rate")
MAX_RATE = Decimal("1e12")


class SectionParser:
    """Parses and validates the sections of one mapping file, numbering rules in file order."""

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
        # NaN, infinities and absurd exponents would escape as arithmetic errors below.
        if isinstance(node, bool) or not amount.is_finite() or amount.copy_abs() >= MAX_RATE:
            raise self.fail(path, f"{node!r} is not an amount", "write a rate such as '25.00'")
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
