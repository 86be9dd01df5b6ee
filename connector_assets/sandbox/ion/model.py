"""The simulated tenant's records (master data, batches, vouchers, journals, employees) and value parsing."""

from __future__ import annotations

import re
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from connector_assets.sandbox import clock as sandbox_clock

_AMOUNT = re.compile(r"^-?\d{1,15}(\.\d{1,2})?$")


class Clock:
    """The sandbox's clock (pinned day, real time of day) plus an offset tests can advance, so expiry is tested
    without sleeping."""

    def __init__(self) -> None:
        self._offset = 0.0
        self._lock = threading.Lock()

    def now(self) -> float:
        with self._lock:
            return sandbox_clock.now().timestamp() + self._offset

    def today(self) -> date:
        return datetime.fromtimestamp(self.now(), UTC).date()

    def advance(self, seconds: float) -> None:
        with self._lock:
            self._offset += seconds


def parse_ymd8(value: str) -> date | None:
    """Parse M3 `YMD8` (`20250131`); `""`/`"0"` mean no date; raises ValueError on anything else."""
    value = value.strip()
    if value in ("", "0"):
        return None
    if not re.fullmatch(r"\d{8}", value):
        raise ValueError(f"{value!r} is not a YMD8 date (yyyyMMdd)")
    return date(int(value[:4]), int(value[4:6]), int(value[6:]))


def ymd8(value: date | None) -> str:
    """Format a date as M3 `YMD8`, `"0"` when absent (M3 stores empty dates as zero)."""
    return value.strftime("%Y%m%d") if value else "0"


def parse_any_date(value: Any) -> date | None:
    """Accept a date, `YYYY-MM-DD[...]`, `YYYYMMDD` or Mongoose `YYYYMMDD HH:MM:SS.mmm`; None/"" mean absent."""
    if value is None or isinstance(value, date):
        return value.date() if isinstance(value, datetime) else value
    text = str(value).strip()
    if text in ("", "0"):
        return None
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}.*", text):
        return date.fromisoformat(text[:10])
    if re.fullmatch(r"\d{8}( .*)?", text):
        return parse_ymd8(text[:8])
    raise ValueError(f"{text!r} is not a date (use YYYYMMDD or YYYY-MM-DD)")


def mongoose_datetime(value: date | None) -> str:
    """Format a date the way Mongoose returns datetimes (`YYYYMMDD HH:MM:SS.mmm`), empty when absent."""
    return value.strftime("%Y%m%d 00:00:00.000") if value else ""


def parse_amount(value: str) -> Decimal:
    """Parse an amount in M3/Mongoose decimal format (`.` separator, at most 2 decimals); never via float."""
    text = value.strip()
    if not _AMOUNT.match(text):
        raise ValueError(f"{value!r} is not a decimal amount like 1234.56 (dot separator, 2 decimals at most)")
    try:
        return Decimal(text)
    except InvalidOperation as exc:  # pragma: no cover - the regex already guards this
        raise ValueError(f"{value!r} is not a decimal amount") from exc


def format_amount(value: Decimal) -> str:
    """Format a Decimal amount with two decimals, as M3 returns amounts."""
    return f"{value.quantize(Decimal('0.01')):f}"


@dataclass
class Identity:
    """An accounting identity: an account (dimension 1) or a value of another dimension/unit code."""

    code: str
    name: str = ""
    blocked: bool = False
    valid_from: date | None = None
    valid_to: date | None = None
    group: str = ""
    type: str = ""

    def problem_on(self, day: date) -> str | None:
        """Why this identity cannot be posted to on `day`, or None when it can."""
        if self.blocked:
            return "is blocked"
        if self.valid_from and day < self.valid_from:
            return f"is not valid before {self.valid_from.isoformat()}"
        if self.valid_to and day > self.valid_to:
            return f"is not valid after {self.valid_to.isoformat()}"
        return None

    def to_json(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "name": self.name,
            "blocked": self.blocked,
            "valid_from": self.valid_from.isoformat() if self.valid_from else None,
            "valid_to": self.valid_to.isoformat() if self.valid_to else None,
            "group": self.group,
            "type": self.type,
        }


def identity_from_seed(item: Any) -> Identity:
    """Build an Identity from a mapping or any object with `code`, `name`, `blocked`, `valid_from`, `valid_to`."""

    def get(key: str, default: Any = None) -> Any:
        if isinstance(item, Mapping):
            return item.get(key, default)
        return getattr(item, key, default)

    code = str(get("code") or "").strip()
    if not code or len(code) > 10:
        raise ValueError(f"seed item {item!r}: `code` must be 1..10 characters (M3 AITM is 10 long)")
    try:
        return Identity(
            code=code,
            name=str(get("name") or ""),
            blocked=bool(get("blocked", False)),
            valid_from=parse_any_date(get("valid_from")),
            valid_to=parse_any_date(get("valid_to")),
            group=str(get("group") or ""),
            type=str(get("type") or ""),
        )
    except ValueError as exc:
        raise ValueError(f"seed item with code {code!r}: {exc}") from exc


@dataclass
class PostedLine:
    """One line of a GLS840MI batch or an M3 voucher; `dims` holds AIT1..AIT7."""

    line: int
    acdt: date
    dims: tuple[str, ...]
    amount: Decimal
    vtxt: str = ""
    currency: str = ""
    inri: str = ""

    def to_json(self) -> dict[str, Any]:
        return {
            "line": self.line,
            "accounting_date": self.acdt.isoformat(),
            "dims": list(self.dims),
            "amount": str(self.amount),
            "text": self.vtxt,
            "currency": self.currency,
        }


@dataclass
class Batch:
    """A GLS840MI batch (FGLINH + its field-based lines)."""

    key1: str
    interface: str
    description: str
    division: str
    lines: dict[int, PostedLine] = field(default_factory=dict)
    status: str = "open"  # open -> checked -> posted
    voucher: tuple[int, int] | None = None  # (YEA4, VONO) once posted


@dataclass
class Voucher:
    """A posted M3 GL voucher."""

    division: str
    year: int
    series: str
    number: int
    journal: int
    key1: str
    description: str
    lines: list[PostedLine]
    visible_at: float = 0.0  # simulator clock time from which GLS200MI shows it (background creation)

    @property
    def debit_sum(self) -> Decimal:
        return sum((ln.amount for ln in self.lines if ln.amount > 0), Decimal(0))

    @property
    def credit_sum(self) -> Decimal:
        return -sum((ln.amount for ln in self.lines if ln.amount < 0), Decimal(0))

    def to_json(self) -> dict[str, Any]:
        return {
            "division": self.division,
            "year": self.year,
            "series": self.series,
            "voucher": self.number,
            "journal": self.journal,
            "key1": self.key1,
            "description": self.description,
            "debit_sum": str(self.debit_sum),
            "credit_sum": str(self.credit_sum),
            "lines": [ln.to_json() for ln in self.lines],
        }


@dataclass
class JournalRow:
    """A SyteLine journal entry row (SLJournals)."""

    seq: int
    journal_id: str
    trans_date: date
    account: str
    units: tuple[str, str, str, str]
    amount: Decimal
    reference: str
    row_id: str

    def to_json(self) -> dict[str, Any]:
        return {
            "seq": self.seq,
            "journal_id": self.journal_id,
            "trans_date": self.trans_date.isoformat(),
            "account": self.account,
            "units": list(self.units),
            "amount": str(self.amount),
            "reference": self.reference,
        }


@dataclass
class Employee:
    """An employee as both M3 (CRS530MI) and SyteLine (SLEmployees) see it."""

    number: str
    division: str = ""
    name: str = ""
    first_name: str = ""
    last_name: str = ""
    user_id: str = ""
    active: bool = True
    department: str = ""
    cost_center: str = ""
    hire_date: date | None = None
    term_date: date | None = None
    row_id: str = ""
    version: int = 1

    def to_json(self) -> dict[str, Any]:
        return {
            "number": self.number,
            "division": self.division,
            "name": self.name,
            "first_name": self.first_name,
            "last_name": self.last_name,
            "user_id": self.user_id,
            "active": self.active,
            "department": self.department,
            "cost_center": self.cost_center,
            "hire_date": self.hire_date.isoformat() if self.hire_date else None,
            "term_date": self.term_date.isoformat() if self.term_date else None,
        }
