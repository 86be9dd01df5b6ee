"""A payroll's raw JSON as Gusto last gave it, reused while Gusto's listing of the payroll is unchanged.

Gusto gives a payroll no version of its own (only an unprocessed payroll's employees carry lock tokens), so
the version here is a hash of what the payroll listing shows and what changes whenever the payroll does:
processed state and dates, totals, reversals. A replay of a processed payroll whose listing is unchanged
reuses the stored copy: one listing request instead of a page per 100 employees. Anything else (a first
read, a changed listing, a payroll no longer listed as processed) reads the payroll again.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import polars as pl

from connector_assets import clock
from connector_assets.gusto.client import GustoClient
from connector_assets.gusto.errors import GustoApiError
from connector_assets.store.snapshots import Snapshots

SUMMARY_FIELDS = (
    "uuid", "check_date", "processed", "processed_date", "calculated_at", "off_cycle", "pay_period", "totals",
    "reversal_payroll_uuids",
)  # fmt: skip
SUMMARY_INCLUDE = ("totals", "reversals")
GUSTO, STORED = "gusto", "stored"
# Gusto refuses a listing whose end_date is more than 3 months ahead; a payroll dated later is read itself.
LISTING_AHEAD = dt.timedelta(days=89)


def payroll_version(payroll: Mapping[str, Any]) -> str:
    """The payroll's version: a hash of the fields its listing and its full read both show."""
    fields = {name: payroll.get(name) for name in SUMMARY_FIELDS}
    return hashlib.sha256(json.dumps(fields, sort_keys=True, default=str).encode()).hexdigest()[:16]


def snapshot_kind(payroll_uuid: str) -> str:
    """The snapshot holding a payroll's last raw read."""
    return f"payroll:{payroll_uuid}"


@dataclass(frozen=True)
class PayrollRead:
    """The raw payroll, its version, and whether it came from Gusto now or from the stored read."""

    raw: dict[str, Any]
    version: str
    source: str


@dataclass(frozen=True)
class _Stored:
    raw: dict[str, Any]
    version: str
    check_date: dt.date


def _stored(snapshots: Snapshots, connection_id: str, payroll_uuid: str) -> _Stored | None:
    snapshot = snapshots.get(connection_id, snapshot_kind(payroll_uuid))
    if snapshot is None or snapshot.frame.height != 1:
        return None
    row = snapshot.frame.row(0, named=True)
    return _Stored(json.loads(row["raw"]), row["version"], dt.date.fromisoformat(row["check_date"]))


def _listed_version(client: GustoClient, payroll_uuid: str, check_date: dt.date) -> str | None:
    """The version Gusto's processed-payroll listing shows now, or None when it does not list the payroll (or
    cannot list its check date): then the payroll is read itself, never failing where a read would not."""
    if check_date > clock.today() + LISTING_AHEAD:
        return None
    try:
        listed = client.list_payrolls(check_date, check_date, include=SUMMARY_INCLUDE)
    except GustoApiError as error:
        if error.status != 422:
            raise
        return None
    return next((payroll_version(p.raw) for p in listed if p.uuid == payroll_uuid), None)


def read_payroll(client: GustoClient, snapshots: Snapshots, connection_id: str, payroll_uuid: str) -> PayrollRead:
    """The payroll as Gusto holds it now: the stored read when its listing is unchanged, else read again."""
    stored = _stored(snapshots, connection_id, payroll_uuid)
    listed = _listed_version(client, payroll_uuid, stored.check_date) if stored else None
    if stored is not None and listed == stored.version:
        return PayrollRead(stored.raw, stored.version, STORED)
    raw = client.get_payroll(payroll_uuid).raw
    # The listing's version when there was one: it is what the next run compares with. A change between the
    # listing and this read only costs that run a read again, never a stale payroll.
    version = listed or payroll_version(raw)
    check_date = raw.get("check_date")
    if raw.get("processed") and check_date:  # an unprocessed payroll may change at any time: always read
        frame = pl.DataFrame({"version": [version], "check_date": [str(check_date)], "raw": [json.dumps(raw)]})
        snapshots.put(connection_id, snapshot_kind(payroll_uuid), frame)
    return PayrollRead(raw, version, GUSTO)
