"""Property names of a SyteLine site, discovered from the tenant rather than assumed (reference §12.12).

Each field the adapter needs has candidate names; the first one the IDO's property list holds wins, unless the
connection's settings name one (which must then exist). A missing required field is a setup error that names
the properties the IDO does have and the setting to change. Discovered schemas are cached per tenant and
configuration and refreshed with master data.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from connector_assets.cloudsuite.errors import CloudSuiteError

# field -> (candidates, required); "{n}" is a unit-code number.
Fields = dict[str, tuple[tuple[str, ...], bool]]

CHART: Fields = {
    "account": (("Acct",), True),
    "description": (("Description", "Descr"), False),
    "active": (("Active",), False),
    "effective": (("EffDate", "EffectiveDate"), False),
    "obsolete": (("ObsDate", "ObsoleteDate"), False),
}
UNIT: Fields = {
    "code": (("UnitCode{n}", "Unitcd{n}", "UnitCd{n}"), True),
    "description": (("Description", "Descr"), False),
    "active": (("Active",), False),
    "obsolete": (("ObsDate", "ObsoleteDate"), False),
}
JOURNAL: Fields = {
    "id": (("Id", "JournalId"), True),
    "seq": (("Seq", "JournalSeq"), True),
    "date": (("TransDate",), True),
    "account": (("Acct",), True),
    "amount": (("DomAmount", "Amount"), True),
    "reference": (("Ref", "Reference"), True),
    **{f"unit{n}": ((f"AcctUnit{n}", f"AcctUnitCode{n}"), False) for n in range(1, 5)},
}
LEDGER: Fields = {
    "date": (("TransDate",), True),
    "account": (("Acct",), True),
    "amount": (("DomAmount", "Amount"), True),
    "reference": (("Ref", "Reference"), True),
    "number": (("TransNum",), False),
    **{f"unit{n}": ((f"AcctUnit{n}", f"AcctUnitCode{n}"), False) for n in range(1, 5)},
}
EMPLOYEE: Fields = {
    "number": (("EmpNum",), True),
    "first_name": (("Fname", "FirstName"), True),
    "last_name": (("Lname", "LastName"), True),
    "name": (("Name",), False),
    "department": (("Dept",), False),
    "hire_date": (("HireDate",), False),
    "term_date": (("TermDate",), True),
}


class SyteLineSetupError(CloudSuiteError):
    """The site lacks a property (or employee-number fit) the adapter needs; the message names the setting."""


@dataclass(frozen=True)
class IdoNames:
    """The resolved names of one IDO: field -> property (optional fields the IDO lacks are absent)."""

    ido: str
    names: Mapping[str, str]
    available: tuple[str, ...]

    def __getitem__(self, field: str) -> str:
        return self.names[field]

    def get(self, field: str) -> str | None:
        return self.names.get(field)


def resolve(
    ido: str, available: Sequence[str], fields: Fields, overrides: Mapping[str, str], setting: str, unit: int = 0
) -> IdoNames:
    """Pick each field's property from the IDO's list; raise naming every missing one and what exists."""
    known = {p.casefold(): p for p in available}
    names: dict[str, str] = {}
    missing: list[str] = []
    for field, (candidates, required) in fields.items():
        wanted = overrides.get(field)
        options = [wanted] if wanted else [c.format(n=unit) for c in candidates]
        found = next((known[c.casefold()] for c in options if c.casefold() in known), None)
        if found:
            names[field] = found
        elif required or wanted:
            missing.append(f"{field} (tried {', '.join(options)})")
    if missing:
        raise SyteLineSetupError(
            f"SyteLine IDO {ido} has no property for {'; '.join(missing)}. Its properties are: "
            f"{', '.join(available) or '(none listed)'}. Name the right ones under cloudsuite.syteline.{setting} "
            "in connections.yaml"
        )
    return IdoNames(ido, names, tuple(available))


@dataclass(frozen=True)
class SiteSchema:
    """Everything discovered about one site's IDOs."""

    chart: IdoNames
    unit: IdoNames
    journal: IdoNames
    ledger: IdoNames
    employee: IdoNames


_cache: dict[tuple[str, ...], SiteSchema] = {}
_lock = threading.Lock()


def cached_schema(
    key: tuple[str, ...], discover: Callable[[], SiteSchema], *, refresh: bool = False
) -> SiteSchema:
    """The schema of `key` (tenant URL, configuration, unit), discovered once per process or when refreshed."""
    with _lock:
        found = None if refresh else _cache.get(key)
    if found is None:
        found = discover()
        with _lock:
            _cache[key] = found
    return found
