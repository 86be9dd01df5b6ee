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
      child_support: "1093"          # optional: cleared by child_support_debit (else deductions_by_name, deductions)
      deductions_by_name: {"Child Support": "1090"}   # optional, also benefits_by_name
      garnishments: "2400"           # optional: garnishments other than child support (else deductions)
      owners_draw: "3100"            # equity, debited with no cost centre (an Owner's Draw is held without it)
    taxes: {by_name: {...}, default: {...}, receivable: "1200", deferred: "2150"}   # see named_parser
    benefits: {"Medical Insurance": {expense: "6200", liability: "2300"}}           # per benefit name
    # or by Gusto benefit type id: {"Dental plans": {type: 2, expense: "6205"}}; a name rule wins
    employees: {<employee uuid>: RULE}
    jobs: {<job title or uuid>: RULE or [RULE, ...]}     # RULE may carry min_rate / max_rate
    departments: {<department title or uuid>: RULE}
    locations: {<location uuid>: RULE}
    splits:
      - {employee: <uuid>, cost_centers: {"300": 60, "400": 40}}   # or job: <title or uuid>
    contractors: {accounts, credits, rules}   # contractor payments; see mapping.contractors

where ``RULE = {cost_center: "200", accounts: {<debit key>: "6011"}, dimensions: {AIT3: "X"}}``
(at least one of ``cost_center`` / ``accounts``). Debit keys are the earning types
(regular, overtime, double_overtime, pto, holiday, bonus, commission, paycheck_tips,
correction, severance, owners_draw) and cash_tips, employer_tax, employer_benefit,
reimbursement, company_tax (payroll-level company taxes; without it they use employer_tax and
follow the payroll's wages). PTO without a ``pto`` account posts as ``regular``. Codes are quoted
strings so leading zeros survive.

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
from pathlib import Path

import yaml

from connector_assets.ledger import categories as c
from connector_assets.mapping import model as m
from connector_assets.mapping.contractors import SECTION as CONTRACTORS
from connector_assets.mapping.contractors import parse_contractors
from connector_assets.mapping.errors import MappingError
from connector_assets.mapping.model import MappingRules
from connector_assets.mapping.named_parser import parse_benefits, parse_taxes
from connector_assets.mapping.parser import TOP_KEYS, SectionParser

# libyaml's safe loader is ~20x faster; the pure-Python one is the same grammar.
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


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
    p = SectionParser(source)
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
    benefit_expenses, benefits_by_name, benefit_types = parse_benefits(p, root.get("benefits"), benefits_by_name)
    if root.get(CONTRACTORS) is not None:
        parse_contractors(root[CONTRACTORS], source)  # a broken section fails the whole file, as others do
    return MappingRules(
        source=source,
        version=mapping_version(data),
        rules=tuple(rules + split_rules + p.defaults(root["defaults"])),
        credits=credits,
        deductions_by_name=deductions_by_name,
        benefits_by_name=benefits_by_name,
        earning_names=p.earning_names(root.get("earning_names")),
        cost_center_field=field.strip() if isinstance(field, str) else None,
        taxes=parse_taxes(p, root.get("taxes")),
        benefit_expenses=benefit_expenses,
        benefit_types=benefit_types,
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
    except UnicodeDecodeError:
        raise MappingError(f"{target}: not UTF-8 text; save the mapping file as UTF-8 YAML") from None
    return parse_mapping(text, source=target.name)


def department_cost_centers(mapping_file: str) -> dict[str, str]:
    """Department → cost center from the mapping's department rules (what CloudSuite's employee record carries)."""
    rules = load_mapping_file(mapping_file)
    return {str(r.match_value): r.cost_center for r in rules.rules if r.level == m.DEPARTMENT and r.cost_center}
