"""`connector cloudsuite check` for an FSM connection: discover the tenant's facts and compare them with settings.

Prints the enterprise groups and accounting entities the tenant has, the chart, which dimensions hold values
(and the fields of the cost-center list, whose inactive flag is unverified), and whether the result and
journal classes can be read; every mismatch names the `cloudsuite.fsm` key to change.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from connector_assets.cloudsuite.errors import FsmError
from connector_assets.cloudsuite.fsm import CHART, FsmErp
from connector_assets.cloudsuite.fsm_gl import RESULT

DIMENSIONS = ("AccountingUnit", *(f"FinanceDimension{n}" for n in range(1, 11)))


@dataclass
class FsmCheck:
    """What `check` found: lines to print and the problems that make it fail."""

    lines: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    def say(self, key: str, text: str) -> None:
        self.lines.append(f"  {key:<26} {text}")


def check_fsm(erp: FsmErp) -> FsmCheck:
    """Discover the tenant behind `erp` and compare it with the connection's `cloudsuite.fsm` settings."""
    out = FsmCheck()
    o = erp.options.posting
    client = erp.client
    out.lines.append(f"  FSM Landmark REST at {client.base} (context_path), page_size {client.page_size}")
    entities = client.select("AccountingEntity", ["FinanceEnterpriseGroup", "AccountingEntity", "Description",
                                                  "Status"], {}, key=("FinanceEnterpriseGroup", "AccountingEntity"))  # fmt: skip
    groups = sorted({e.get("FinanceEnterpriseGroup", "") for e in entities})
    ours = {e["AccountingEntity"]: e for e in entities if e.get("FinanceEnterpriseGroup") == o.enterprise_group}
    out.say("finance_enterprise_group", f"{o.enterprise_group} (tenant has: {', '.join(groups) or 'none'})")
    if o.enterprise_group not in groups:
        out.problems.append(f"set cloudsuite.fsm.finance_enterprise_group to one of: {', '.join(groups)}")
    entity = ours.get(o.accounting_entity)
    listed = ", ".join(
        f"{k} {v.get('Description', '')!r} (Status {v.get('Status', '?')})" for k, v in sorted(ours.items())
    )
    out.say("accounting_entity", f"{o.accounting_entity} (in {o.enterprise_group}: {listed or 'none'})")
    if entity is None:
        out.problems.append(f"set cloudsuite.fsm.accounting_entity to one of: {', '.join(sorted(ours)) or 'none'}")
    accounts = erp.list_gl_accounts()
    inactive = sum(1 for a in accounts if a.blocked)
    out.say("chart of accounts", f"{len(accounts)} accounts in {CHART} ({inactive} inactive)")
    _dimensions(erp, out)
    for label, cls in (("results", RESULT), ("journal_class", o.journal_class)):
        try:
            client.page(cls, ["FinanceEnterpriseGroup"] if cls != RESULT else [RESULT], offset=0, limit=1)
            out.say(label, f"{cls} readable")
        except FsmError as exc:
            out.say(label, f"{cls} NOT readable: {exc.message}")
            key = (
                "cloudsuite.fsm.journal_class"
                if cls == o.journal_class
                else "the service account's security roles"
            )
            out.problems.append(f"{cls} cannot be read ({exc.message}); check {key}")
    out.say("journal_code / system_code", f"{o.journal_code or '(tenant default)'} / {o.system_code or '(none)'}")
    out.say("edit_and_interface", "on (PrmEditAndInterface=true on the update run)" if o.edit_and_interface else
            "off: update runs may stay edit-only on this tenant")  # fmt: skip
    return out


def _dimensions(erp: FsmErp, out: FsmCheck) -> None:
    o = erp.options
    where = {"FinanceEnterpriseGroup": o.posting.enterprise_group}
    counts = {}
    for name in DIMENSIONS:
        try:
            counts[name] = erp.client.count(name, where)
        except FsmError:
            counts[name] = -1
    chosen = o.posting.cost_center_dimension
    sample = (
        erp.client.page(chosen, ["_all"], offset=0, limit=1, where=where) if counts.get(chosen, -1) > 0 else []
    )
    fields = ", ".join(sorted(sample[0])) if sample else "no values"
    out.say("cost_center_dimension", f"{chosen}: {counts.get(chosen, -1)} values; fields: {fields}")
    if sample and o.cost_center_active_field not in sample[0]:
        out.problems.append(f"{chosen} has no field {o.cost_center_active_field!r}; set "
                            "cloudsuite.fsm.cost_center_active_field to its inactive/active flag")  # fmt: skip
    if counts.get(chosen, -1) <= 0:
        out.problems.append(f"{chosen} has no values; set cloudsuite.fsm.cost_center_dimension to a dimension "
                            "that holds the departments")  # fmt: skip
    others = [f"{n} ({c})" for n, c in counts.items() if n != chosen and c > 0]
    out.say("other dimensions", ", ".join(others) or "none with values")
