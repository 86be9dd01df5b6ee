"""The SyteLine IDOs the simulator serves: rows out for LoadCollection, validated changes in for UpdateCollection."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Protocol

from connector_assets.sandbox.ion import csi_schema as csi
from connector_assets.sandbox.ion.config import IonConfig
from connector_assets.sandbox.ion.model import Clock, Identity, mongoose_datetime
from connector_assets.sandbox.ion.state import IonState

Row = dict[str, str]
BLOCKED_SINCE = date(1900, 1, 1)  # SLCharts/SLUnitcdNs have no active flag: a blocked value is long obsolete


class IdoError(Exception):
    """A rejected Mongoose request: reported as `Success: false` with this message."""


@dataclass
class Change:
    """One entry of `UpdateCollection.Changes`: Action 1 insert, 2 update, 4 delete."""

    action: int
    item_id: str
    properties: dict[str, str]  # the properties marked Modified: the values to write
    keys: dict[str, str]  # every property sent, to find the row when there is no ItemId
    locking: bool = True


class IdoCollection(Protocol):
    def properties(self) -> list[str]: ...

    def rows(self) -> list[tuple[str, Row]]: ...

    def update(self, changes: list[Change]) -> None: ...


def check_identity(where: str, ident: Identity | None, what: str, code: str, day: date) -> None:
    """Raise IdoError when `code` cannot be posted to on `day`."""
    if ident is None:
        raise IdoError(f"{where}: {what} {code!r} does not exist")
    problem = ident.problem_on(day)
    if problem:
        raise IdoError(f"{where}: {what} {code!r} {problem} on {day.isoformat()}")


class IdoPropertiesCollection:
    """IdoProperties: one row per property of every IDO this tenant serves (the metadata IDO)."""

    def __init__(self, collections: dict[str, IdoCollection]) -> None:
        self.collections = collections

    def properties(self) -> list[str]:
        return list(csi.IDO_PROPERTIES)

    def rows(self) -> list[tuple[str, Row]]:
        return [
            (f"PBT=[idoprop] p.ID=[{ido}.{prop}]",
             {"CollectionName": ido, "PropertyName": prop, "DataType": "String", "IsReadOnly": "0"})
            for ido, collection in sorted(self.collections.items()) if ido != "IdoProperties"
            for prop in collection.properties()
        ]  # fmt: skip

    def update(self, changes: list[Change]) -> None:
        raise _read_only("IdoProperties")


def _read_only(name: str) -> IdoError:
    return IdoError(f"{name} is read-only in this tenant: maintain it in CloudSuite (or seed it via /_sandbox)")


class ChartCollection:
    """SLCharts: the chart of accounts; a blocked account is obsolete since long ago."""

    def __init__(self, state: IonState, config: IonConfig) -> None:
        self.state = state

    def properties(self) -> list[str]:
        return list(csi.SL_CHARTS)

    def rows(self) -> list[tuple[str, Row]]:
        dim = self.state.accounts()
        return [(f"PBT=[chart] cha.ID=[{code}]", self._row(dim.values[code])) for code in dim.sorted_keys()]

    @staticmethod
    def _row(a: Identity) -> Row:
        return {**dict.fromkeys(csi.SL_CHARTS, ""), "Acct": a.code, "Description": a.name, "Type": a.type[:1].upper(),
                "EffDate": mongoose_datetime(a.valid_from), "ObsDate": _obsolete(a), "DerAmount1": "0.00",
                "DerAmount2": "0.00", "RowPointer": str(uuid.uuid5(uuid.NAMESPACE_OID, a.code))}  # fmt: skip

    def update(self, changes: list[Change]) -> None:
        raise _read_only("SLCharts")


def _obsolete(ident: Identity) -> str:
    return mongoose_datetime(BLOCKED_SINCE if ident.blocked else ident.valid_to)


class UnitCodeCollection:
    """SLUnitcd1s..SLUnitcd4s: the values of one unit code."""

    def __init__(self, state: IonState, config: IonConfig, unit: int) -> None:
        self.state, self.unit = state, unit

    def properties(self) -> list[str]:
        return list(csi.sl_unit_code(self.unit))

    def rows(self) -> list[tuple[str, Row]]:
        dim, code = self.state.unit_codes[self.unit], f"UnitCode{self.unit}"
        blank = dict.fromkeys(self.properties(), "")
        return [
            (f"PBT=[unitcd{self.unit}] u.ID=[{c}]",
             {**blank, code: c, "Description": dim.values[c].name, "ObsDate": _obsolete(dim.values[c])})
            for c in dim.sorted_keys()
        ]  # fmt: skip

    def update(self, changes: list[Change]) -> None:
        raise _read_only(f"SLUnitcd{self.unit}s")


class PeriodCollection:
    """SLPeriods: calendar-month accounting periods with their closed flag."""

    def __init__(self, state: IonState, config: IonConfig, clock: Clock) -> None:
        self.state, self.clock = state, clock

    def properties(self) -> list[str]:
        return list(csi.SL_PERIODS)

    def rows(self) -> list[tuple[str, Row]]:
        this_year = self.clock.today().year
        years = {this_year - 1, this_year, this_year + 1} | {y for y, _ in self.state.closed_periods}
        out = []
        for year in sorted(years):
            for month in range(1, 13):
                start = date(year, month, 1)
                end = (date(year + month // 12, month % 12 + 1, 1)) - timedelta(days=1)
                row = {"FiscalYear": str(year), "Period": str(month), "PerStart": mongoose_datetime(start),
                       "PerEnd": mongoose_datetime(end), "Closed": "1" if self.state.period_closed(start) else "0"}  # fmt: skip
                out.append((f"PBT=[periods] per.ID=[{year}-{month:02d}]", row))
        return out

    def update(self, changes: list[Change]) -> None:
        raise _read_only("SLPeriods")
