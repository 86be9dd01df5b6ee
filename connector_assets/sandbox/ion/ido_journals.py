"""SLJournals (entered, unposted journal rows), SLLedgers (posted rows) and the journal-sequence method.

A row is inserted with a `Seq` the caller obtained from `GetNextJournalSeqSp` (reference §12.8). Journal
posting (the customer's step, `post_journals`) checks each reference balances and moves its rows from
SLJournals to SLLedgers (§12.10).
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from decimal import Decimal
from typing import Any

from connector_assets.sandbox.ion import csi_schema as csi
from connector_assets.sandbox.ion.config import IonConfig
from connector_assets.sandbox.ion.ido_collections import Change, IdoError, Row, check_identity
from connector_assets.sandbox.ion.model import (
    JournalRow,
    format_amount,
    mongoose_datetime,
    parse_amount,
    parse_any_date,
)
from connector_assets.sandbox.ion.state import IonState

UNITS = ("AcctUnit1", "AcctUnit2", "AcctUnit3", "AcctUnit4")


def _row(j: JournalRow) -> dict[str, str]:
    return {"TransDate": mongoose_datetime(j.trans_date), "Acct": j.account, **dict(zip(UNITS, j.units, strict=True)),
            "DomAmount": format_amount(j.amount), "Ref": j.reference, "RowPointer": j.row_id}  # fmt: skip


class JournalCollection:
    """SLJournals: journal entry rows; inserts are validated one by one (no balance check at entry)."""

    def __init__(self, state: IonState, config: IonConfig) -> None:
        self.state, self.config = state, config

    def properties(self) -> list[str]:
        return list(csi.SL_JOURNALS)

    def rows(self) -> list[tuple[str, Row]]:
        blank = dict.fromkeys(csi.SL_JOURNALS, "")
        return [(f"PBT=[journal] jour.ID=[{j.row_id}]", {**blank, **_row(j), "Id": j.journal_id, "Seq": str(j.seq)})
                for j in self.state.journals]  # fmt: skip

    def update(self, changes: list[Change]) -> None:
        if changes and all(c.action == 4 for c in changes):
            self._delete(changes)
            return
        drafts = [self._draft(i, c) for i, c in enumerate(changes, start=1)]
        if self.config.syteline_require_balanced:
            totals: dict[str, Decimal] = defaultdict(Decimal)
            for row in drafts:
                totals[row.reference] += row.amount
            for ref, total in totals.items():
                if total != 0:
                    raise IdoError(f"SLJournals: entries with reference {ref!r} do not balance (net "
                                   f"{format_amount(total)}); send all lines of a journal in one request")  # fmt: skip
        self.state.journals.extend(drafts)

    def _delete(self, changes: list[Change]) -> None:
        """Unposted journal rows may be deleted by their ItemId (posted ones live in SLLedgers)."""
        doomed = []
        for index, change in enumerate(changes, start=1):
            row = next((j for j in self.state.journals if f"jour.ID=[{j.row_id}]" in change.item_id), None)
            if row is None:
                raise IdoError(f"SLJournals change {index}: no journal entry has ItemId {change.item_id!r}")
            doomed.append(row)
        for row in doomed:
            self.state.journals.remove(row)

    def _seq(self, where: str, journal_id: str, raw: str) -> int:
        if not raw:
            if self.config.require_journal_seq:
                raise IdoError(
                    f"{where}: Seq is required; obtain it with GetNextJournalSeqSp for journal {journal_id}"
                )
            raw = str(self.state.last_journal_seq.get(journal_id, 0) + 1)
        if not raw.isdigit():
            raise IdoError(f"{where}: Seq {raw!r} must be a whole number")
        seq = int(raw)
        issued = self.state.last_journal_seq.get(journal_id, 0)
        if self.config.require_journal_seq and seq > issued:
            raise IdoError(f"{where}: Seq {seq} was not issued for journal {journal_id} (last issued {issued})")
        if any(j.journal_id == journal_id and j.seq == seq for j in self.state.journals):
            raise IdoError(f"{where}: journal {journal_id} already has an entry with Seq {seq}")
        self.state.last_journal_seq[journal_id] = max(issued, seq)
        return seq

    def _draft(self, index: int, change: Change) -> JournalRow:
        where = f"SLJournals change {index}"
        if change.action != 1:
            raise IdoError(f"{where}: journal entries are inserted (Action 1) or deleted (4, alone in a request); "
                           "post a reversing entry to change a posted one")  # fmt: skip
        p = change.properties
        try:
            day = parse_any_date(p.get("TransDate"))
            amount = parse_amount(p.get("DomAmount") or "")
        except ValueError as exc:
            raise IdoError(f"{where}: {exc}") from exc
        if day is None:
            raise IdoError(f"{where}: TransDate is required")
        reference = p.get("Ref", "")
        if len(reference) > self.config.reference_max_len:
            raise IdoError(f"{where}: Ref {reference!r} is longer than {self.config.reference_max_len} characters")
        if self.config.syteline_reject_duplicate_reference and any(
            j.reference == reference for j in (*self.state.journals, *self.state.ledgers)
        ):
            raise IdoError(f"{where}: reference {reference!r} was already entered")
        if self.state.period_closed(day):
            raise IdoError(f"{where}: period {day:%Y-%m} is closed for posting")
        account = p.get("Acct", "")
        check_identity(where, self.state.accounts().values.get(account), "account", account, day)
        units = tuple(p.get(u, "") for u in UNITS)
        for i, code in enumerate(units, start=1):
            if code:
                check_identity(where, self.state.unit_codes[i].values.get(code), f"unit code {i}", code, day)
        journal_id = p.get("Id") or self.config.default_journal_id
        return JournalRow(seq=self._seq(where, journal_id, p.get("Seq", "")), journal_id=journal_id, trans_date=day,
                          account=account, units=(units[0], units[1], units[2], units[3]), amount=amount,
                          reference=reference, row_id=str(uuid.uuid4()))  # fmt: skip


class LedgerCollection:
    """SLLedgers: rows journal posting moved out of SLJournals; read-only."""

    def __init__(self, state: IonState) -> None:
        self.state = state

    def properties(self) -> list[str]:
        return list(csi.SL_LEDGERS)

    def rows(self) -> list[tuple[str, Row]]:
        blank = dict.fromkeys(csi.SL_LEDGERS, "")
        return [(f"PBT=[ledger] led.ID=[{j.row_id}]", {**blank, **_row(j), "TransNum": str(j.seq),
                 "FromId": j.journal_id}) for j in self.state.ledgers]  # fmt: skip

    def update(self, changes: list[Change]) -> None:
        raise IdoError("SLLedgers is read-only: enter journal rows in SLJournals and run journal posting")


def next_journal_seq(state: IonState, params: list[Any]) -> tuple[list[Any], str]:
    """`GetNextJournalSeqSp(JournalID, ref JournalSeq)`: the next free Seq of a journal, as an output parameter."""
    if not params or not str(params[0] or "").strip():
        raise IdoError("GetNextJournalSeqSp: the first parameter (JournalID) is required")
    journal_id = str(params[0]).strip()
    seq = state.last_journal_seq.get(journal_id, 0) + 1
    state.last_journal_seq[journal_id] = seq
    return [journal_id, str(seq), *params[2:]], "0"


def post_journals(state: IonState, journal_id: str | None = None) -> int:
    """Journal posting: move every balanced reference's rows of `journal_id` (all when None) to SLLedgers."""
    with state.lock:
        chosen = [j for j in state.journals if journal_id is None or j.journal_id == journal_id]
        totals: dict[str, Decimal] = defaultdict(Decimal)
        for j in chosen:
            totals[j.reference] += j.amount
        moving = [j for j in chosen if totals[j.reference] == 0]
        for j in moving:
            state.journals.remove(j)
            state.ledgers.append(JournalRow(**{**vars(j), "seq": state.next_trans_num}))
            state.next_trans_num += 1
        return len(moving)
