"""In-memory state of one simulated tenant, guarded by one lock shared by HTTP handlers and admin calls."""

from __future__ import annotations

import bisect
import threading
from collections import Counter
from collections.abc import Iterable
from datetime import date
from typing import Any

from connector_assets.sandbox.ion.model import (
    Batch,
    Employee,
    Identity,
    JournalRow,
    Voucher,
    identity_from_seed,
)


class Dimension:
    """The values of one accounting dimension (or unit code), kept with a sorted key list for start-key paging."""

    def __init__(self) -> None:
        self.values: dict[str, Identity] = {}
        self._keys: list[str] | None = None

    def upsert(self, identity: Identity) -> None:
        if identity.code not in self.values:
            self._keys = None
        self.values[identity.code] = identity

    def clear(self) -> None:
        self.values.clear()
        self._keys = None

    def sorted_keys(self) -> list[str]:
        if self._keys is None:
            self._keys = sorted(self.values)
        return self._keys

    def from_key(self, start: str, inclusive: bool) -> list[str]:
        """Keys at or after `start` (after only, when not inclusive), in key order."""
        keys = self.sorted_keys()
        pos = bisect.bisect_left(keys, start) if inclusive else bisect.bisect_right(keys, start)
        return keys[pos:]


class IonState:
    """Master data, postings, employees, periods and counters of one tenant."""

    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.dimensions: dict[int, Dimension] = {n: Dimension() for n in range(1, 8)}
        self.unit_codes: dict[int, Dimension] = {n: Dimension() for n in range(1, 5)}
        self.closed_periods: set[tuple[int, int]] = set()
        self.batches: dict[str, Batch] = {}
        self.vouchers: list[Voucher] = []
        self.next_voucher: dict[int, int] = {}
        self.next_journal = 1
        self.journals: list[JournalRow] = []  # entered, unposted journal rows (SLJournals)
        self.ledgers: list[JournalRow] = []  # rows moved to the ledger by journal posting (SLLedgers)
        self.last_journal_seq: dict[str, int] = {}  # per journal id, as GetNextJournalSeqSp hands them out
        self.next_trans_num = 1
        self.employees: dict[str, Employee] = {}
        self.counters: Counter[str] = Counter()

    # --- master data ---
    def seed_dimension(self, dimension: int, items: Iterable[Any], replace: bool = False) -> int:
        """Add or replace values of M3 dimension `dimension` (1 = accounts); returns how many were given."""
        if not 1 <= dimension <= 7:
            raise ValueError(f"dimension {dimension} does not exist: M3 has accounting dimensions 1..7")
        return self._seed(self.dimensions[dimension], items, replace)

    def seed_unit_code(self, unit: int, items: Iterable[Any], replace: bool = False) -> int:
        """Add or replace values of SyteLine unit code `unit` (1..4)."""
        if not 1 <= unit <= 4:
            raise ValueError(f"unit code {unit} does not exist: SyteLine has unit codes 1..4")
        return self._seed(self.unit_codes[unit], items, replace)

    def _seed(self, target: Dimension, items: Iterable[Any], replace: bool) -> int:
        parsed = [item if isinstance(item, Identity) else identity_from_seed(item) for item in items]
        with self.lock:
            if replace:
                target.clear()
            for identity in parsed:
                target.upsert(identity)
        return len(parsed)

    def accounts(self) -> Dimension:
        return self.dimensions[1]

    def set_blocked(self, dimension: int, code: str, blocked: bool) -> Identity:
        """Block or unblock one identity; KeyError names the missing code."""
        with self.lock:
            identity = self.dimensions[dimension].values.get(code)
            if identity is None:
                raise KeyError(f"dimension {dimension} has no value {code!r}; seed it first")
            # Cost centres share one Identity between the M3 dimension and the SyteLine unit code.
            identity.blocked = blocked
            return identity

    # --- periods ---
    def set_period_closed(self, year: int, month: int, closed: bool) -> None:
        if not 1 <= month <= 12:
            raise ValueError(f"period {year}-{month}: month must be 1..12 (periods are calendar months)")
        with self.lock:
            if closed:
                self.closed_periods.add((year, month))
            else:
                self.closed_periods.discard((year, month))

    def period_closed(self, day: date) -> bool:
        return (day.year, day.month) in self.closed_periods

    # --- counters ---
    def count(self, name: str, n: int = 1) -> None:
        with self.lock:
            self.counters[name] += n

    def counters_snapshot(self) -> dict[str, int]:
        with self.lock:
            return dict(self.counters)
