"""The pre-flight a customer runs before the first posting: what the tenant has, and every setting to change.

It discovers rather than assumes: the IDO property lists of a SyteLine site, the company, dimensions and GLS850
template of an M3 tenant (through a dry batch that is checked but never updated to the ledger). Each finding is
`ok`, `note` or `FAIL`; any `FAIL` means the first posting would fail.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from connector_assets import clock
from connector_assets.cloudsuite import syteline_schema as schema
from connector_assets.cloudsuite.errors import CloudSuiteError, M3ApiError
from connector_assets.cloudsuite.m3 import M3Erp
from connector_assets.cloudsuite.m3_gl import batch_key
from connector_assets.cloudsuite.syteline import SEQ_METHOD, SyteLineErp, with_units
from connector_assets.cloudsuite.types import CostCenter, GlAccount, Journal, JournalLine

Level = Literal["ok", "note", "FAIL"]

# Which setting an MI error on a field of the dry batch points at.
M3_FIELD_SETTINGS = {
    "INTN": "cloudsuite.m3.interface_name (the interface defined in GLS850)",
    "INRI": "cloudsuite.m3.record_identity (the template's input record identity)",
    "ACAM": "cloudsuite.m3.amount_style (signed amounts or D/C codes)",
    "DBCR": "cloudsuite.m3.amount_style (signed amounts or D/C codes)",
    "CUAM": "the GLS850 template's CUAM mapping (the connector sends CUAM equal to ACAM)",
    "DIVI": "cloudsuite.division",
    "CONO": "cloudsuite.company",
}


@dataclass
class Report:
    """Findings in the order they were made."""

    findings: list[tuple[Level, str]] = field(default_factory=list)

    def add(self, level: Level, text: str) -> None:
        self.findings.append((level, text))

    @property
    def failed(self) -> bool:
        return any(level == "FAIL" for level, _ in self.findings)


def _master_data(report: Report, accounts: list[GlAccount], cost_centers: list[CostCenter], where: str) -> None:
    blocked = sum(1 for a in accounts if a.blocked)
    report.add("ok" if accounts else "FAIL", f"{len(accounts)} accounts ({blocked} blocked)")
    if cost_centers:
        report.add("ok", f"{len(cost_centers)} cost centers in {where}")
    else:
        report.add(
            "FAIL", f"no cost centers in {where}: change cloudsuite.cost_center_dimension to the one holding them"
        )


def check_syteline(erp: SyteLineErp, report: Report) -> None:
    """Property lists of every IDO the adapter uses, master data, the journal sequence and employee numbers."""
    o, unit = erp.options, erp.unit
    plan = [("SLCharts", schema.CHART, o.chart, "chart", 0), (f"SLUnitcd{unit}s", schema.UNIT, o.unit, "unit", unit),
            ("SLJournals", schema.JOURNAL, with_units(o.journal), "journal", 0),
            ("SLLedgers", schema.LEDGER, with_units(o.ledger), "ledger", 0),
            ("SLEmployees", schema.EMPLOYEE, o.employee, "employee", 0)]  # fmt: skip
    usable = True
    for ido, fields, overrides, setting, number in plan:
        try:
            names = schema.resolve(ido, erp.ido.properties(ido), fields, overrides, setting, number)
        except schema.SyteLineSetupError as exc:
            report.add("FAIL", str(exc))
            usable = False
            continue
        mapped = ", ".join(f"{f}={p}" for f, p in names.names.items())
        report.add("ok", f"{ido}: {mapped}")
        lacking = [f for f in fields if f not in names.names]
        if lacking:
            report.add("note", f"{ido} has no property for {', '.join(lacking)}; the connector does without")
    if not usable:
        return
    _master_data(report, erp.list_gl_accounts(), erp.list_cost_centers(), f"unit code {unit} (SLUnitcd{unit}s)")
    try:
        out = erp.ido.invoke("SLJournals", SEQ_METHOD, [o.journal_id, None], record="pre-flight")
        report.add("ok", f"{SEQ_METHOD} issues sequences for journal {o.journal_id} (next {out[1] if len(out) > 1 else '?'}"
                   "; the one used here leaves a harmless gap)")  # fmt: skip
    except CloudSuiteError as exc:
        report.add(
            "FAIL", f"{SEQ_METHOD} for journal {o.journal_id} failed ({exc}); check cloudsuite.syteline.journal_id"
        )
    report.add("note", f"journal rows are entered {o.rows_per_request or 'all'} per request; \"posted\" means entered "
               "in the journal until the site's journal posting moves them to the ledger")  # fmt: skip
    report.add("note", f"employee numbers over {o.emp_num_width} characters need cloudsuite.syteline.employee_numbers "
               f"({len(o.employee_numbers)} mapped); the dry entry of a journal is not possible here (rows are kept)")  # fmt: skip


def check_m3(erp: M3Erp, report: Report, *, dry_batch: bool = True) -> None:
    """Company and division, dimensions, and the GLS850 template through a checked (never updated) batch."""
    user = erp.mi.execute("CRS630MI", "GetUserInfo", record="pre-flight")
    info = user[0] if user else {}
    report.add("ok", f"service user {info.get('ZZUSID', '?')}: default company {info.get('ZDCONO', '?')}, division "
               f"{info.get('ZDDIVI', '?')}; the connector uses {erp.mi.company}/{erp.mi.division}")  # fmt: skip
    accounts, cost_centers = erp.list_gl_accounts(), erp.list_cost_centers()
    _master_data(report, accounts, cost_centers, f"accounting dimension {erp.cost_center_dimension}")
    sample = {d: len(erp.mi.execute("CRS630MI", "LstAccountID", {"AITP": str(d), "DIVI": erp.mi.division},
                                    maxrecs=20, record=f"dimension {d}")) for d in range(2, 8)}  # fmt: skip
    used = ", ".join(f"{d} ({n}{'+' if n == 20 else ''} values)" for d, n in sample.items() if n) or "none"
    report.add("note", f"accounting dimensions with values: {used}; cost centers are read from dimension "
               f"{erp.cost_center_dimension} (cloudsuite.cost_center_dimension)")  # fmt: skip
    p = erp.gl.options
    report.add("note", f"GLS850 template: interface {p.interface_name}, record identity {p.record_identity}, amounts "
               f"{p.amount_style}, CUAM sent equal to ACAM; duplicate batches recognised by field KEY1/LINE, codes "
               f"{list(p.duplicate_codes)} or messages {list(p.duplicate_messages)}")  # fmt: skip
    today = clock.today()
    account = next((a for a in accounts if a.open_on(today)), None)
    center = next((c for c in cost_centers if c.open_on(today)), None)
    if not dry_batch or account is None:
        report.add("note", "dry batch skipped")
        return
    stamp = clock.now().strftime("%Y%m%d%H%M%S")
    lines = tuple(JournalLine(account.account, center.code if center else None, {}, d, c, "USD", "pre-flight")
                  for d, c in ((100, 0), (0, 100)))  # fmt: skip
    journal = Journal(f"preflight:{stamp}", today, "Connector pre-flight (not updated)", lines, "USD")
    key = batch_key(journal.external_reference)
    try:
        erp.gl.add_batch_head(journal)
        for number, line in enumerate(lines, start=1):
            erp.gl.add_batch_line(journal, number, line, resumed=False)
        erp.gl.ctrl_batch(journal)
    except M3ApiError as exc:
        hint = M3_FIELD_SETTINGS.get(exc.field, "the GLS850 template and the connection's cloudsuite.m3 settings")
        report.add("FAIL", f"dry batch {key} was refused: {exc}; check {hint}")
        return
    report.add("ok", f"dry batch {key} passed CtrlBatch; it was not updated: delete it in GLS840")


def preflight(erp: object, *, dry_batch: bool = True) -> Report:
    """Run the checks that fit the adapter."""
    report = Report()
    if isinstance(erp, SyteLineErp):
        check_syteline(erp, report)
    elif isinstance(erp, M3Erp):
        check_m3(erp, report, dry_batch=dry_batch)
    else:
        report.add("note", f"no pre-flight for {getattr(erp, 'flavour', type(erp).__name__)} yet")
    return report
