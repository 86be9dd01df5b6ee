"""The simulated FSM (CloudSuite Financials) tenant: its settings, records and in-memory state.

Every behaviour the reference marks unverified is a field of `FsmConfig`; the defaults are the stricter
reading (reference §13, §13.1): `_limit` 5, a server page cap, `_lplFilter` dropped on later pages, a key with
a leading space on `ErrorMessage`, runs that stay edit-only without `PrmEditAndInterface`, staged rows that
leave `GLTransactionInterface` once interfaced, and results that appear only after a few polls.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from connector_assets.sandbox.ion.model import Identity, identity_from_seed

DIMENSIONS = ("AccountingUnit", *(f"FinanceDimension{n}" for n in range(1, 11)))
REQUIRED_FIELDS = (
    "FinanceEnterpriseGroup", "GLTransactionInterface.RunGroup", "GLTransactionInterface.SequenceNumber",
    "AccountingEntity", "AccountCode", "PostingDate",
)  # fmt: skip
INTERFACE_FIELDS = (
    *REQUIRED_FIELDS, "AccountingUnit", "TransactionDate", "TransactionAmount", "Description", "Reference",
    "DocumentNumber", "JournalCode", "System", "Project", "GeneralLedgerEvent", "ToAccountingEntity", "AutoReverse",
    "AutoReverseDate", "CurrencyCode", *(f"FinanceDimension{n}" for n in range(1, 11)),
)  # fmt: skip


@dataclass
class FsmConfig:
    """Tunable behaviour of the FSM face of a simulated tenant."""

    enterprise_group: str = "ACME"
    entities: dict[str, str] = field(default_factory=lambda: {"1000": "Acme Professional Services US"})
    context_path: str = "FSM/fsm/soap"
    default_limit: int = 5
    max_limit: int = 200  # a server cap below what clients ask for: pages come back shorter than `_limit`
    paging_drops_filter: bool = True  # pages after the first ignore `_lplFilter` (reported on real tenants)
    error_message_key: str = " ErrorMessage"  # one real sample carried the key with a leading space
    batch_max_records: int = 100
    cost_center_dimension: str = "AccountingUnit"  # where `seed_cost_centers` puts the cost centers
    accounting_unit_active_field: str = "Active"  # the inactive flag of AccountingUnit is unverified
    complete_after_polls: int = 1  # result-list reads that still see a queued run as not done
    rows_leave_after_interface: bool = True
    require_edit_and_interface: bool = True  # an update without PrmEditAndInterface=true stays edit-only
    require_cm_all: bool = True
    journal_class: str | None = "GeneralLedgerTransaction"  # posted lines, readable by Reference (unverified)
    journal_codes: frozenset[str] | None = None  # None: any journal code
    result_status: str = "1"  # Status of a finished run; the codes are unverified
    first_result_id: int = 998  # ids cross 999 -> 1000 early, so string comparison would go wrong

    def __post_init__(self) -> None:
        if self.cost_center_dimension not in DIMENSIONS:
            raise ValueError(
                f"cost_center_dimension={self.cost_center_dimension!r}: use AccountingUnit or FinanceDimension1..10"
            )


@dataclass
class StagedRow:
    """One `GLTransactionInterface` record: the fields as sent (strings) and the error of the last edit."""

    fields: dict[str, str]
    error: str = ""
    interfaced: bool = False  # kept (not removed) after release when rows_leave_after_interface is off

    @property
    def run_group(self) -> str:
        return self.fields["GLTransactionInterface.RunGroup"]

    @property
    def sequence(self) -> int:
        return int(self.fields["GLTransactionInterface.SequenceNumber"])


@dataclass
class InterfaceRun:
    """A queued or finished Interface Transactions job and its `GLTransactionInterfaceResult`."""

    result_id: int
    run_group: str
    entity: str
    edit_only: bool
    partial_update: bool
    polls_left: int
    done: bool = False
    record_count: int = 0
    passed_count: int = 0
    failed_count: int = 0


@dataclass
class PostedLine:
    """A released journal line, as the journal class lists it."""

    transaction: int
    journal: int
    entity: str
    account: str
    posting_date: date
    amount: Decimal
    dimensions: dict[str, str]
    reference: str
    document_number: str
    description: str
    journal_code: str
    system: str
    run_group: str


class FsmState:
    """Master data, staged rows, runs and the posted journal of one FSM tenant, behind one lock."""

    def __init__(self, config: FsmConfig) -> None:
        self.config = config
        self.lock = threading.RLock()
        # (enterprise group, code) -> Identity, so other groups' rows can be seeded beside ours.
        self.accounts: dict[tuple[str, str], Identity] = {}
        self.dimensions: dict[str, dict[tuple[str, str], Identity]] = {name: {} for name in DIMENSIONS}
        self.entities: dict[str, tuple[str, str]] = {code: (name, "1") for code, name in config.entities.items()}
        self.closed_periods: set[tuple[int, int]] = set()
        self.staged: dict[tuple[str, int], StagedRow] = {}
        self.runs: list[InterfaceRun] = []
        self.posted: list[PostedLine] = []
        self.rendered_journal: list[dict[str, str]] = []  # `posted` as list rows, rendered once each
        self.next_result = config.first_result_id
        self.next_journal = 1
        self.next_transaction = 1

    # --- master data ---
    def seed(self, dimension: str | None, items: list[Any], replace: bool, group: str | None) -> int:
        """Seed accounts (`dimension` None) or values of AccountingUnit / FinanceDimensionN."""
        target = self.accounts if dimension is None else self.dimensions[_dimension(dimension)]
        parsed = [item if isinstance(item, Identity) else identity_from_seed(item) for item in items]
        owner = group or self.config.enterprise_group
        with self.lock:
            if replace:
                for key in [k for k in target if k[0] == owner]:
                    del target[key]
            for identity in parsed:
                target[(owner, identity.code)] = identity
        return len(parsed)

    def set_active(self, dimension: str | None, code: str, active: bool) -> None:
        """Activate or deactivate an account (`dimension` None) or a dimension value; KeyError when unknown."""
        target = self.accounts if dimension is None else self.dimensions[_dimension(dimension)]
        with self.lock:
            identity = target.get((self.config.enterprise_group, code))
            if identity is None:
                raise KeyError(f"{dimension or 'account'} {code!r} does not exist; seed it first")
            identity.blocked = not active

    def set_period_closed(self, year: int, month: int, closed: bool) -> None:
        if not 1 <= month <= 12:
            raise ValueError(f"period {year}-{month}: month must be 1..12 (periods are calendar months)")
        with self.lock:
            (self.closed_periods.add if closed else self.closed_periods.discard)((year, month))

    def new_result_id(self) -> int:
        with self.lock:
            self.next_result += 1
            return self.next_result


def _dimension(name: str) -> str:
    if name not in DIMENSIONS:
        raise ValueError(f"dimension {name!r} does not exist: use AccountingUnit or FinanceDimension1..10")
    return name


def flag(value: bool) -> str:
    """Landmark answers every value as a string; booleans as "true"/"false"."""
    return "true" if value else "false"


def money(value: Decimal) -> str:
    return f"{value.quantize(Decimal('0.01')):f}"


def long_date(day: date) -> str:
    """`August 25, 2025`, as FSM writes dates into error messages."""
    return f"{day:%B} {day.day}, {day.year}"
