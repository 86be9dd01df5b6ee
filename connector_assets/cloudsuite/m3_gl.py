"""M3 journal posting through GLS840MI batches and read-back of vouchers through GLS200MI (reference §6.3-6.4).

MI has no idempotency key, so the batch key (`KEY1`, 15 characters) is derived from the journal's
external reference, and the same key leads every line text (`VTXT`) and the batch description, where
GLS200MI shows it again. A retry after a crash therefore finds the posted voucher, or resumes the
unposted batch: lines that already exist are skipped, the rest added, then the batch is checked and
updated once.

`UpdBatch` answers with `CONO` only and M3 may create the voucher in the background (reference §12.2-3):
a voucher not yet listed right after the update means *submitted*, not conflict; `find_journal` finds it
later by the posting date recorded at write-ahead, with one bounded GLS200MI call per day.
"""

from __future__ import annotations

import base64
import hashlib
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

from connector_assets import clock
from connector_assets.cloudsuite.errors import M3ApiError, PostingConflict
from connector_assets.cloudsuite.m3_mi import MiClient, Record, parse_ymd8, ymd8
from connector_assets.cloudsuite.money import cents_to_decimal, decimal_to_cents
from connector_assets.cloudsuite.types import (
    Journal,
    JournalLine,
    PostedJournal,
    SubmittedJournal,
    require_same_totals,
)

log = logging.getLogger(__name__)
KEY1_LENGTH = 15
RETURN_COLUMNS = "YEA4,VSER,VONO,JRNO,ACDT,VTXT"


@dataclass(frozen=True)
class M3PostingOptions:
    """Per-tenant GLS850 template facts the reference marks UNVERIFIED; defaults follow Infor's examples."""

    interface_name: str = "PAYROLL"  # INTN: the interface defined in GLS850
    record_identity: str = "I1"  # INRI of a line
    # "signed": ACAM carries the sign (debit +, credit -); "dbcr": ACAM positive plus DBCR D/C.
    amount_style: Literal["signed", "dbcr"] = "signed"
    # Without a posting date, find_journal reads the days of this window around today, one bounded call each.
    search_back_days: int = 7
    search_ahead_days: int = 7
    # At most this many voucher lines per GLS200MI LstVouchersByDt call (never maxrecs=0).
    search_page_limit: int = 2000
    # Whether FRDT/TODT mean the accounting or the entry date is undocumented (§12.7): the look-up also reads
    # today and this many days back, where a voucher entered lately shows if the dates are entry dates.
    search_entry_days: int = 1
    # Which field M3 names on a duplicate KEY1/LINE is undocumented (§12.6): an error naming the field, or
    # carrying one of these codes or message parts, means "already there" and the batch is resumed.
    duplicate_codes: tuple[str, ...] = ()
    duplicate_messages: tuple[str, ...] = ("already exists",)
    # An error adding lines to a resumed batch with one of these message parts: the batch was updated already.
    updated_messages: tuple[str, ...] = ("already updated",)


def batch_key(external_reference: str) -> str:
    """A deterministic `KEY1` (15 characters, A-Z and 2-7) for a journal's external reference."""
    digest = hashlib.sha256(external_reference.encode()).digest()
    return ("GP" + base64.b32encode(digest).decode())[:KEY1_LENGTH]


def document_id(year: str, series: str, number: str) -> str:
    """`YEA4/VSER/VONO`, the voucher's identity in GLS200MI."""
    return f"{year}/{series}/{number}"


def _dimension_number(name: str) -> int:
    digits = "".join(ch for ch in name if ch.isdigit())
    if not digits or not 2 <= int(digits) <= 7:
        raise ValueError(f"dimension {name!r}: use 2..7 (or AIT2..AIT7); dimension 1 is the account")
    return int(digits)


class M3GeneralLedger:
    """GLS840MI posting and GLS200MI read-back for one company/division."""

    def __init__(
        self, mi: MiClient, *, cost_center_dimension: int = 2, options: M3PostingOptions | None = None
    ) -> None:
        self.mi = mi
        self.cost_center_dimension = cost_center_dimension
        self.options = options or M3PostingOptions()

    # --- the GLS840MI steps, in order ---
    def add_batch_head(self, journal: Journal) -> bool:
        """Create the batch; False when a batch with this key already exists (a resumed attempt)."""
        key = batch_key(journal.external_reference)
        inputs = {
            "CONO": self.mi.company,
            "DIVI": self.mi.division,
            "KEY1": key,
            "INTN": self.options.interface_name,
            "DESC": f"{key} {journal.description}"[:40],
        }
        try:
            self.mi.execute("GLS840MI", "AddBatchHead", inputs, writes=True, record=journal.external_reference)
        except M3ApiError as exc:
            if self._is_duplicate(exc, "KEY1"):
                log.info("batch %s for %s exists; resuming it (%s)", key, journal.external_reference, exc.message)
                return False
            raise
        return True

    def _is_duplicate(self, exc: M3ApiError, field: str) -> bool:
        text = exc.message.casefold()
        return (
            exc.field == field
            or (bool(exc.code) and exc.code in self.options.duplicate_codes)
            or any(m.casefold() in text for m in self.options.duplicate_messages)
        )

    def _is_updated(self, exc: M3ApiError) -> bool:
        text = exc.message.casefold()
        return any(m.casefold() in text for m in self.options.updated_messages)

    def add_batch_line(self, journal: Journal, number: int, line: JournalLine, *, resumed: bool) -> bool:
        """Add line `number` (1-based); on a resumed batch a line that already exists is kept.

        False when the resumed batch turns out to be updated to the ledger already (nothing may be added)."""
        key = batch_key(journal.external_reference)
        try:
            self.mi.execute(
                "GLS840MI",
                "AddBatchLineFld",
                self._line_inputs(journal, key, number, line),
                writes=True,
                record=f"{journal.external_reference} line {number}",
            )
        except M3ApiError as exc:
            if resumed and self._is_updated(exc):
                log.info("batch %s for %s was updated already (%s)", key, journal.external_reference, exc.message)
                return False
            if resumed and self._is_duplicate(exc, "LINE"):
                return True  # added by the interrupted attempt
            if resumed and exc.field == "KEY1":
                raise PostingConflict(
                    f"journal {journal.external_reference}: batch {key} exists but cannot take lines "
                    f"({exc.message}); check it in GLS840 before posting again"
                ) from exc
            raise
        return True

    def ctrl_batch(self, journal: Journal) -> None:
        """GLS840 option 6: validate the batch."""
        self._run("CtrlBatch", journal)

    def upd_batch(self, journal: Journal) -> list[Record]:
        """GLS840 option 9: update the batch to the general ledger; may return the voucher (UNVERIFIED)."""
        return self._run("UpdBatch", journal)

    def _run(self, transaction: str, journal: Journal) -> list[Record]:
        inputs = {"CONO": self.mi.company, "DIVI": self.mi.division, "KEY1": batch_key(journal.external_reference)}
        return self.mi.execute("GLS840MI", transaction, inputs, writes=True, record=journal.external_reference)

    def _line_inputs(self, journal: Journal, key: str, number: int, line: JournalLine) -> Record:
        if line.currency != journal.currency:
            raise ValueError(
                f"journal {journal.external_reference} line {number}: currency {line.currency} differs from the "
                f"journal's {journal.currency}; post one journal per currency"
            )
        inputs: Record = {
            "DIVI": self.mi.division,
            "KEY1": key,
            "LINE": str(number),
            "INRI": self.options.record_identity,
            "AIT1": line.account,
            "ACDT": ymd8(journal.posting_date),
            "CUCD": line.currency,
            "VTXT": f"{key} {line.text}".strip()[:40],
        }
        for name, value in line.dimensions.items():
            inputs[f"AIT{_dimension_number(name)}"] = value
        if line.cost_center:
            inputs[f"AIT{self.cost_center_dimension}"] = line.cost_center
        if self.options.amount_style == "dbcr":
            inputs["ACAM"] = cents_to_decimal(line.debit_cents or line.credit_cents)
            inputs["DBCR"] = "D" if line.debit_cents else "C"
        else:
            inputs["ACAM"] = cents_to_decimal(line.signed_cents)
        # A template that maps CUAM gives zero or rejected lines without it (§12.4); one currency: CUAM = ACAM.
        inputs["CUAM"] = inputs["ACAM"]
        return inputs

    # --- the whole posting ---
    def post_journal(self, journal: Journal) -> PostedJournal | SubmittedJournal:
        """Post once: the voucher if the reference is posted, else create or resume the batch and update it.

        Returns `SubmittedJournal` when the batch is updated but GLS200MI does not list the voucher yet."""
        posted = self.find_journal(journal.external_reference, posting_date=journal.posting_date)
        if posted is None:
            resumed = not self.add_batch_head(journal)
            for number, line in enumerate(journal.lines, start=1):
                if not self.add_batch_line(journal, number, line, resumed=resumed):
                    return self._submitted(journal)
            self.ctrl_batch(journal)
            returned = self.upd_batch(journal)
            head = returned[0] if returned else {}
            if head.get("YEA4") and head.get("VONO"):  # a tenant that does return the voucher
                posted = self.read_voucher(journal.external_reference, head["YEA4"], head.get("VSER", ""),
                                           head["VONO"])  # fmt: skip
            else:
                posted = self.find_journal(journal.external_reference, posting_date=journal.posting_date)
            if posted is None:
                return self._submitted(journal)
        require_same_totals(journal, posted, "voucher")
        return posted

    def accepted_key(self, journal: Journal) -> str | None:
        """The batch key when the journal's batch is updated to the ledger though GLS200MI may not list its voucher
        yet (CtrlBatch refuses an updated batch); None for an absent or open batch, which makes no voucher."""
        try:
            self.ctrl_batch(journal)
        except M3ApiError as exc:
            return batch_key(journal.external_reference) if self._is_updated(exc) else None
        return None

    @staticmethod
    def _submitted(journal: Journal) -> SubmittedJournal:
        key = batch_key(journal.external_reference)
        log.info("batch %s for %s is updated; its voucher is not listed yet", key, journal.external_reference)
        return SubmittedJournal(journal.external_reference, erp_key=key, posting_date=journal.posting_date)

    # --- reading vouchers back ---
    def read_voucher(self, reference: str, year: str, series: str, number: str) -> PostedJournal:
        """The voucher `year/series/number` with its lines (GetVoucherHead + LstVoucherLines)."""
        keys = {"DIVI": self.mi.division, "YEA4": year, "VONO": number, **({"VSER": series} if series else {})}
        head = self.mi.execute("GLS200MI", "GetVoucherHead", keys, record=reference)
        lines = self.mi.execute("GLS200MI", "LstVoucherLines", keys, maxrecs=self.options.search_page_limit,
                                record=reference)  # fmt: skip
        h = head[0] if head else {}
        return PostedJournal(
            external_reference=reference,
            document_id=document_id(year, h.get("VSER", series), number),
            posting_date=parse_ymd8(lines[0].get("ACDT")) if lines else None,
            line_count=len(lines),
            debit_cents=abs(decimal_to_cents(h.get("DSUM") or "0", what="DSUM")),
            credit_cents=abs(decimal_to_cents(h.get("CSUM") or "0", what="CSUM")),
            lines=self._read_lines(reference, lines),
            erp_key=batch_key(reference),
        )

    def _read_lines(self, reference: str, records: list[Record]) -> tuple[JournalLine, ...] | None:
        out = []
        for rec in records:
            cents = decimal_to_cents(rec.get("ACAM") or "0", what=f"{reference} voucher line ACAM")
            if rec.get("DBCR") == "C" and cents > 0:
                cents = -cents
            if cents == 0:
                return None  # a zero line cannot be compared line for line
            cc = f"AIT{self.cost_center_dimension}"
            dims = {f"AIT{n}": rec[f"AIT{n}"] for n in range(2, 8) if rec.get(f"AIT{n}") and f"AIT{n}" != cc}
            out.append(JournalLine(account=rec.get("AIT1", ""), cost_center=rec.get(cc) or None, dimensions=dims,
                                   debit_cents=max(cents, 0), credit_cents=max(-cents, 0),
                                   currency=rec.get("CUCD", ""), text=rec.get("VTXT", "")))  # fmt: skip
        return tuple(out)

    def find_journal(self, reference: str, *, posting_date: date | None = None) -> PostedJournal | None:
        """The voucher posted under `reference`, found by its batch key in line texts of GLS200MI.

        Reads the posting date (recorded at write-ahead) and the last entry days; without a date, each day of
        a short window around today. Each call asks for the few columns needed and at most
        `search_page_limit` lines; the search stops at the first day that lists the key."""
        today = clock.today()
        if posting_date is not None:
            entered = [today - timedelta(days=d) for d in range(self.options.search_entry_days + 1)]
            days = [posting_date, *(d for d in entered if d != posting_date)]
        else:
            back, ahead = self.options.search_back_days, self.options.search_ahead_days
            days = [today + timedelta(days=d) for d in range(-back, ahead + 1)]
        key = batch_key(reference)
        vouchers: set[tuple[str, str, str]] = set()
        for day in days:
            lines = self.mi.execute(
                "GLS200MI",
                "LstVouchersByDt",
                {"FRDT": ymd8(day), "TODT": ymd8(day), "DIVI": self.mi.division, "returncols": RETURN_COLUMNS},
                maxrecs=self.options.search_page_limit,
                record=reference,
            )
            if len(lines) >= self.options.search_page_limit:
                log.warning("GLS200MI lists %d+ voucher lines on %s; the look-up of %s may miss its voucher",
                            len(lines), day, reference)  # fmt: skip
            vouchers |= _vouchers_with_key(lines, key)
            if vouchers:
                break
        if not vouchers:
            return None
        if len(vouchers) > 1:
            ids = ", ".join(document_id(*v) for v in sorted(vouchers))
            raise PostingConflict(
                f"journal {reference}: batch key {key} appears on several vouchers ({ids}); reverse the extra ones"
            )
        year, series, number = vouchers.pop()
        return self.read_voucher(reference, year, series, number)


def _vouchers_with_key(lines: Iterable[Record], key: str) -> set[tuple[str, str, str]]:
    return {
        (ln.get("YEA4", ""), ln.get("VSER", ""), ln.get("VONO", ""))
        for ln in lines
        if ln.get("VTXT", "").startswith(key)
    }
