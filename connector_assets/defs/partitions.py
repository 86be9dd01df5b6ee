"""Partitions: one per connection for master data and workforce, one per payroll for the posting chain, and
one per connection and payment date for contractor payments (`{connection}:{date}`).

A payroll's key is `{connection}:{check_date}:{payroll_uuid}`, so the partition list sorts by check date and
reads as a payroll register. Keys are only built and parsed here. A key, once added, is the payroll's key for
good: `resolve_payroll_key` reuses it, so a payroll never gets two keys and a key never names two payrolls.
Keys of the older form `{connection}:{payroll_uuid}` (and of a payroll whose check date could not be read)
are still understood.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import dagster as dg

CONNECTIONS, PAYROLLS = "connections", "payrolls"
connection_partitions = dg.DynamicPartitionsDefinition(name=CONNECTIONS)
payroll_partitions = dg.DynamicPartitionsDefinition(name=PAYROLLS)

SEPARATOR = ":"


@dataclass(frozen=True)
class PayrollKey:
    """The parts of a payroll partition key (`check_date` is None in the older form)."""

    connection_id: str
    payroll_uuid: str
    check_date: str | None = None


def payroll_key(connection_id: str, payroll_uuid: str, check_date: dt.date | str | None) -> str:
    """The partition key of a payroll: `{connection}:{check_date}:{payroll_uuid}` (older form without a date)."""
    if SEPARATOR in connection_id:
        raise ValueError(f"connection id {connection_id!r} must not contain {SEPARATOR!r}")
    if check_date is None or check_date == "":
        return f"{connection_id}{SEPARATOR}{payroll_uuid}"
    day = check_date if isinstance(check_date, dt.date) else dt.date.fromisoformat(str(check_date))
    return SEPARATOR.join((connection_id, day.isoformat(), payroll_uuid))


def parse_payroll_key(key: str) -> PayrollKey:
    """The parts of a payroll partition key, either form."""
    parts = key.split(SEPARATOR)
    if len(parts) == 2 and all(parts):
        return PayrollKey(parts[0], parts[1])
    if len(parts) == 3 and all(parts):
        try:
            dt.date.fromisoformat(parts[1])
        except ValueError:
            pass
        else:
            return PayrollKey(parts[0], parts[2], parts[1])
    raise ValueError(
        f"payroll partition key {key!r} is not of the form 'connection:check_date:payroll_uuid' "
        "(or the older 'connection:payroll_uuid')"
    )


def split_payroll_key(key: str) -> tuple[str, str]:
    """`(connection_id, payroll_uuid)` from a payroll partition key of either form."""
    parts = parse_payroll_key(key)
    return parts.connection_id, parts.payroll_uuid


def find_payroll_key(keys: Iterable[str], connection_id: str, payroll_uuid: str) -> str | None:
    """The existing key of this payroll among `keys`, if there is one."""
    for key in keys:
        try:
            parts = parse_payroll_key(key)
        except ValueError:
            continue
        if parts.connection_id == connection_id and parts.payroll_uuid == payroll_uuid:
            return key
    return None


CheckDate = dt.date | str | None


def resolve_payroll_key(
    instance: dg.DagsterInstance,
    connection_id: str,
    payroll_uuid: str,
    check_date: CheckDate | Callable[[], CheckDate],
) -> str:
    """The payroll's partition key: the one it already has in `instance`, else a new one with its check date.

    `check_date` may be a function, called only when the payroll has no key yet (it may ask Gusto).
    """
    existing = find_payroll_key(instance.get_dynamic_partitions(PAYROLLS), connection_id, payroll_uuid)
    if existing:
        return existing
    return payroll_key(connection_id, payroll_uuid, check_date() if callable(check_date) else check_date)


# --- contractor payments: one partition per connection and payment date ---

CONTRACTOR_PAYMENTS = "contractor_payments"
contractor_payment_partitions = dg.DynamicPartitionsDefinition(name=CONTRACTOR_PAYMENTS)


@dataclass(frozen=True)
class ContractorPaymentKey:
    """The parts of a contractor-payment partition key: a connection's payments of one date."""

    connection_id: str
    payment_date: dt.date


def contractor_payment_key(connection_id: str, payment_date: dt.date | str) -> str:
    """The partition key of a connection's contractor payments of one date: `{connection}:{date}`."""
    if SEPARATOR in connection_id:
        raise ValueError(f"connection id {connection_id!r} must not contain {SEPARATOR!r}")
    day = payment_date if isinstance(payment_date, dt.date) else dt.date.fromisoformat(str(payment_date)[:10])
    return f"{connection_id}{SEPARATOR}{day.isoformat()}"


def parse_contractor_payment_key(key: str) -> ContractorPaymentKey:
    """The parts of a contractor-payment partition key."""
    connection_id, _, day = key.partition(SEPARATOR)
    try:
        payment_date = dt.date.fromisoformat(day)
    except ValueError:
        payment_date = None
    if not connection_id or payment_date is None:
        raise ValueError(f"contractor payment partition key {key!r} is not of the form 'connection:payment_date'")
    return ContractorPaymentKey(connection_id, payment_date)


# Period-close assets (accrual, cross-check): one partition per connection and month, `{connection}:{YYYY-MM}`.
PERIODS = "periods"
period_partitions = dg.DynamicPartitionsDefinition(name=PERIODS)


def period_key(connection_id: str, period: str) -> str:
    """The partition key of a connection's month (`YYYY-MM`)."""
    if SEPARATOR in connection_id:
        raise ValueError(f"connection id {connection_id!r} must not contain {SEPARATOR!r}")
    dt.date.fromisoformat(f"{period}-01")  # refuses anything but YYYY-MM
    return f"{connection_id}{SEPARATOR}{period}"


def parse_period_key(key: str) -> tuple[str, str]:
    """`(connection_id, YYYY-MM)` from a period partition key."""
    parts = key.split(SEPARATOR)
    if len(parts) == 2 and all(parts):
        try:
            dt.date.fromisoformat(f"{parts[1]}-01")
            return parts[0], parts[1]
        except ValueError:
            pass
    raise ValueError(f"period partition key {key!r} is not of the form 'connection:YYYY-MM'")
