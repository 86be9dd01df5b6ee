"""The SyteLine (CloudSuite Industrial) adapter over Mongoose IDOs: SLCharts, SLUnitcdNs, SLJournals, SLLedgers,
SLEmployees.

Property names are discovered from the site (`syteline_schema`), not assumed. A journal is entered one row per
UpdateCollection request (a site may process only the first item of `Changes`), each row with a `Seq` from
`GetNextJournalSeqSp`, under a Reference of at most 30 characters. Entered rows sit in SLJournals until the
customer's journal posting moves them to SLLedgers, so the Reference is looked up in both: "posted" here means
"entered in the journal". A retry enters only the rows still missing, so a journal is never entered twice.
"""

from __future__ import annotations

import base64
import hashlib
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date

from connector_assets import clock
from connector_assets.cloudsuite import syteline_schema as schema
from connector_assets.cloudsuite.errors import PostingConflict, SyteLineError
from connector_assets.cloudsuite.money import cents_to_decimal, decimal_to_cents
from connector_assets.cloudsuite.mongoose import DELETE, INSERT, IdoClient, Item, change, format_datetime, quote
from connector_assets.cloudsuite.mongoose import item_date as _date
from connector_assets.cloudsuite.syteline_employees import SyteLineEmployees
from connector_assets.cloudsuite.syteline_schema import IdoNames, SiteSchema, SyteLineSetupError
from connector_assets.cloudsuite.types import (
    CostCenter,
    GlAccount,
    Journal,
    JournalLine,
    PostedJournal,
)

REFERENCE_LENGTH = 30
SEQ_METHOD = "GetNextJournalSeqSp"
LineKey = tuple[str, tuple[str, str, str, str], int]  # account, unit codes 1..4, signed cents


@dataclass(frozen=True)
class SyteLineOptions:
    """Per-site settings; the name mappings override discovered property names (field -> property)."""

    page_size: int = 1000
    journal_id: str = "GJ"
    chart: Mapping[str, str] = field(default_factory=dict)
    unit: Mapping[str, str] = field(default_factory=dict)
    journal: Mapping[str, str] = field(default_factory=dict)
    ledger: Mapping[str, str] = field(default_factory=dict)
    employee: Mapping[str, str] = field(default_factory=dict)
    # SLEmployees has no documented cost-center property; name one here to read and write it.
    employee_cost_center: str | None = None
    # Employee numbers that do not fit EmpNum (7 characters, right-justified) -> the site's employee number.
    employee_numbers: Mapping[str, str] = field(default_factory=dict)
    emp_num_width: int = 7
    # Rows per UpdateCollection request: 1 (a site may process only the first change), or None for one request
    # with every row, for a site that checks balance per request; the row count is verified either way.
    rows_per_request: int | None = 1


def journal_reference(external_reference: str) -> str:
    """The SLJournals Reference: the external reference when it fits 30 characters, else a stable digest of it."""
    if len(external_reference) <= REFERENCE_LENGTH:
        return external_reference
    digest = base64.b32encode(hashlib.sha256(external_reference.encode()).digest()).decode()[:10]
    return f"{external_reference[: REFERENCE_LENGTH - 11]}~{digest}"


def _blocked(item: Item, names: IdoNames, what: str) -> tuple[bool, date | None]:
    """(blocked, obsolete date): an Active flag where the IDO has one, else obsolete on or before today."""
    obsolete = _date(item, names.get("obsolete"), what)
    active = names.get("active")
    if active:
        return (item.get(active) or "1").strip().lower() in ("0", "false", "no", "n"), obsolete
    return obsolete is not None and obsolete <= clock.today(), obsolete


def with_units(overrides: Mapping[str, str]) -> dict[str, str]:
    """A `unit: AcctUnit{n}` override stands for unit1..unit4."""
    out = {k: v for k, v in overrides.items() if k != "unit"}
    if "unit" in overrides:
        out |= {f"unit{n}": overrides["unit"].format(n=n) for n in range(1, 5) if f"unit{n}" not in out}
    return out


class SyteLineErp(SyteLineEmployees):
    """`Erp` for CloudSuite Industrial (SyteLine) through Mongoose IDO REST v2."""

    flavour = "syteline"

    def __init__(
        self,
        ido: IdoClient,
        *,
        cost_center_unit: int = 2,
        options: SyteLineOptions | None = None,
        facts: schema.FactStore | None = None,
        connection_id: str = "",
    ) -> None:
        if not 1 <= cost_center_unit <= 4:
            raise ValueError(f"cost center unit code {cost_center_unit} must be 1..4 (SLUnitcd1s..SLUnitcd4s)")
        self.ido = ido
        self.unit = cost_center_unit
        self.options = options or SyteLineOptions()
        self.facts, self.connection_id = facts, connection_id
        self._schema: SiteSchema | None = None

    def __repr__(self) -> str:
        return f"SyteLineErp(configuration={self.ido.configuration!r}, unit={self.unit})"

    def close(self) -> None:
        """Release the HTTP connections."""
        self.ido.transport.close()

    # --- discovery ---
    def schema(self, *, refresh: bool = False) -> SiteSchema:
        """The site's property names: kept per connection, discovered again with every master-data refresh."""
        o = self.options
        fingerprint = repr((self.ido.configuration, self.unit, o.chart, o.unit, o.journal, o.ledger, o.employee))
        if not refresh and self._schema is None:
            self._schema = schema.load_schema(self.facts, self.connection_id, fingerprint)
        if refresh or self._schema is None:
            self._schema = self._discover()
            schema.keep_schema(self.facts, self.connection_id, fingerprint, self._schema)
        return self._schema

    def _discover(self) -> SiteSchema:
        o, props = self.options, self.ido.properties
        return SiteSchema(
            chart=schema.resolve("SLCharts", props("SLCharts"), schema.CHART, o.chart, "chart"),
            unit=schema.resolve(
                f"SLUnitcd{self.unit}s", props(f"SLUnitcd{self.unit}s"), schema.UNIT, o.unit, "unit", self.unit
            ),
            journal=schema.resolve(
                "SLJournals", props("SLJournals"), schema.JOURNAL, with_units(o.journal), "journal"
            ),
            ledger=schema.resolve("SLLedgers", props("SLLedgers"), schema.LEDGER, with_units(o.ledger), "ledger"),
            employee=schema.resolve("SLEmployees", props("SLEmployees"), schema.EMPLOYEE, o.employee, "employee"),
        )

    # --- master data ---
    def list_gl_accounts(self) -> list[GlAccount]:
        """Every account of SLCharts with its blocked state and effective/obsolete dates (re-discovers names)."""
        n = self.schema(refresh=True).chart
        rows = self.ido.load(
            "SLCharts", list(n.names.values()), orderby=n["account"], page_size=self.options.page_size
        )
        accounts = []
        for r in rows:
            what = f"account {r[n['account']]}"
            blocked, obsolete = _blocked(r, n, what)
            accounts.append(GlAccount(account=r[n["account"]], name=r.get(n.get("description") or "", ""),
                                      blocked=blocked, valid_from=_date(r, n.get("effective"), what),
                                      valid_to=obsolete))  # fmt: skip
        return accounts

    def list_cost_centers(self) -> list[CostCenter]:
        """Every value of the cost-center unit code (SLUnitcdNs)."""
        n = self.schema().unit
        rows = self.ido.load(
            f"SLUnitcd{self.unit}s", list(n.names.values()), orderby=n["code"], page_size=self.options.page_size
        )
        out = []
        for r in rows:
            blocked, obsolete = _blocked(r, n, f"cost center {r[n['code']]}")
            out.append(CostCenter(code=r[n["code"]], name=r.get(n.get("description") or "", ""), blocked=blocked,
                                  valid_to=obsolete))  # fmt: skip
        return out

    # --- journals ---
    def _rows(self, ido: str, names: IdoNames, ref: str, record: str) -> list[Item]:
        order = names.get("seq") or names.get("number") or names["reference"]
        rows = self.ido.load(ido, list(names.names.values()), filter=f"{names['reference']} = {quote(ref)}",
                             orderby=order, page_size=self.options.page_size, record=record)  # fmt: skip
        return [r for r in rows if r.get(names["reference"]) == ref]  # the filter is case-insensitive

    def _key(self, item: Item, names: IdoNames, record: str) -> LineKey:
        units = tuple(item.get(names.get(f"unit{i}") or "", "") for i in range(1, 5))
        cents = decimal_to_cents(item.get(names["amount"], ""), what=f"{record} {names['amount']}")
        return item.get(names["account"], ""), (units[0], units[1], units[2], units[3]), cents

    def _line_key(self, line: JournalLine) -> LineKey:
        units = ["", "", "", ""]
        for name, value in line.dimensions.items():
            units[_unit_number(name) - 1] = value
        if line.cost_center:
            units[self.unit - 1] = line.cost_center
        return line.account, (units[0], units[1], units[2], units[3]), line.signed_cents

    def _entered(self, reference: str) -> tuple[list[Item], list[Item], SiteSchema]:
        s, ref = self.schema(), journal_reference(reference)
        return (
            self._rows("SLJournals", s.journal, ref, reference),
            self._rows("SLLedgers", s.ledger, ref, reference),
            s,
        )

    def find_journal(self, reference: str, *, posting_date: date | None = None) -> PostedJournal | None:
        """The rows entered under `reference`, in SLJournals (unposted) and SLLedgers (posted), summed up."""
        journal_rows, ledger_rows, s = self._entered(reference)
        if not journal_rows and not ledger_rows:
            return None
        keys = [self._key(r, s.journal, reference) for r in journal_rows]
        keys += [self._key(r, s.ledger, reference) for r in ledger_rows]
        ref, first = journal_reference(reference), journal_rows[0] if journal_rows else ledger_rows[0]
        if journal_rows:
            seqs = [r.get(s.journal["seq"], "") for r in journal_rows]
            document = f"{journal_rows[0].get(s.journal['id'], '')}/{ref}#{seqs[0]}-{seqs[-1]}"
        else:
            document = f"ledger/{ref}"
        date_prop = (s.journal if journal_rows else s.ledger)["date"]
        lines = tuple(JournalLine(account=a, cost_center=u[self.unit - 1] or None,
                                  dimensions={f"AcctUnit{i}": c for i, c in enumerate(u, 1) if c and i != self.unit},
                                  debit_cents=max(c, 0), credit_cents=max(-c, 0), currency="")
                      for a, u, c in keys if c)  # fmt: skip
        return PostedJournal(
            external_reference=reference,
            document_id=document,
            posting_date=_date(first, date_prop, reference),
            line_count=len(keys),
            debit_cents=sum(c for _, _, c in keys if c > 0),
            credit_cents=-sum(c for _, _, c in keys if c < 0),
            lines=lines if len(lines) == len(keys) else None,
            erp_key=self.options.journal_id,
        )

    def post_journal(self, journal: Journal) -> PostedJournal:
        """Enter the journal's rows still missing under its Reference, one row per request, then verify them."""
        reference = journal.external_reference
        journal_rows, ledger_rows, s = self._entered(reference)
        found = Counter(self._key(r, s.journal, reference) for r in journal_rows)
        found += Counter(self._key(r, s.ledger, reference) for r in ledger_rows)
        wanted = Counter(self._line_key(line) for line in journal.lines)
        if found - wanted:
            raise PostingConflict(
                f"journal {reference}: SyteLine holds rows under Reference {journal_reference(reference)!r} that "
                f"are not in this journal ({sorted(found - wanted)}); reverse them before posting again"
            )
        missing = wanted - found
        pending: list[tuple[JournalLine, str]] = []
        for number, line in enumerate(journal.lines, start=1):
            if line.currency != journal.currency:
                raise ValueError(f"journal {reference} line {number}: currency {line.currency} differs from the "
                                 f"journal's {journal.currency}")  # fmt: skip
            key = self._line_key(line)
            if missing[key] > 0:
                missing[key] -= 1
                pending.append((line, f"{reference} line {number}"))
        size = self.options.rows_per_request or len(pending) or 1
        for start in range(0, len(pending), size):
            chunk = pending[start : start + size]
            changes = [change(INSERT, self._row(s.journal, journal, line, record)) for line, record in chunk]
            try:
                self.ido.update("SLJournals", changes, record=chunk[0][1])
            except SyteLineError as exc:
                raise self._withdraw(reference, s.journal, exc) from exc
        posted = self.find_journal(reference)
        expected = (len(journal.lines), journal.debit_cents, journal.credit_cents)
        if posted is None or (posted.line_count, posted.debit_cents, posted.credit_cents) != expected:
            held = (posted.line_count, posted.debit_cents, posted.credit_cents) if posted else (0, 0, 0)
            raise PostingConflict(
                f"journal {reference}: after entering, SyteLine holds {held[0]} rows, debit {held[1]} / credit "
                f"{held[2]} cents, but the journal has {expected[0]} lines, {expected[1]} / {expected[2]}; check "
                "SLJournals for this Reference (the site may have dropped rows) before posting again"
            )
        return posted

    def _withdraw(self, reference: str, n: IdoNames, refused: SyteLineError) -> SyteLineError:
        """The site refused a row: delete the journal's unposted rows so no half journal stays behind."""
        rows = self._rows("SLJournals", n, journal_reference(reference), reference)
        for row in rows:  # one change per request, as for inserts
            self.ido.update("SLJournals", [change(DELETE, {}, row.get("_ItemId", ""))], record=reference)
        note = f"; the {len(rows)} row(s) already entered were deleted again" if rows else ""
        return SyteLineError(refused.ido, refused.action, refused.message + note, record=refused.record)

    def _enter(self, n: IdoNames, journal: Journal, line: JournalLine, record: str) -> None:
        """Enter one row in its own request."""
        self.ido.update("SLJournals", [change(INSERT, self._row(n, journal, line, record))], record=record)

    def _row(self, n: IdoNames, journal: Journal, line: JournalLine, record: str) -> dict[str, str | None]:
        """The row's properties, with a fresh Seq from GetNextJournalSeqSp."""
        journal_id = self.options.journal_id
        out = self.ido.invoke("SLJournals", SEQ_METHOD, [journal_id, None], record=record)
        seq = out[1].strip() if len(out) > 1 else ""
        if not seq.isdigit():
            raise SyteLineSetupError(f"{record}: {SEQ_METHOD} returned no journal sequence ({out!r}) for journal "
                                     f"{journal_id}; check cloudsuite.syteline.journal_id")  # fmt: skip
        account, units, cents = self._line_key(line)
        props: dict[str, str | None] = {
            n["id"]: journal_id, n["seq"]: seq, n["date"]: format_datetime(journal.posting_date),
            n["account"]: account, n["amount"]: cents_to_decimal(cents),
            n["reference"]: journal_reference(journal.external_reference),
        }  # fmt: skip
        for i, code in enumerate(units, start=1):
            if code:
                prop = n.get(f"unit{i}")
                if prop is None:
                    raise SyteLineSetupError(f"{record}: SLJournals has no property for unit code {i}; name it "
                                             "under cloudsuite.syteline.journal")  # fmt: skip
                props[prop] = code
        return props


def _unit_number(name: str) -> int:
    digits = "".join(ch for ch in name if ch.isdigit())
    if not digits or not 1 <= int(digits) <= 4:
        raise ValueError(f"dimension {name!r}: SyteLine has unit codes 1..4 (use '3' or 'AcctUnit3')")
    return int(digits)
