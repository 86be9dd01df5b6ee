"""Property names of a SyteLine site, discovered from the tenant rather than assumed (reference §12.12).

Each field the adapter needs has candidate names; the first one the IDO's property list holds wins, unless the
connection's settings name one (which must then exist). A missing required field is a setup error that names
the properties the IDO does have and the setting to change. A discovered schema is kept per connection in the
store's `sync_state` (key `syteline_schema`) and discovered again with every master-data refresh.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

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

    def to_json(self) -> dict[str, Any]:
        return {part: {"ido": n.ido, "names": dict(n.names), "available": list(n.available)}
                for part, n in vars(self).items()}  # fmt: skip

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> SiteSchema:
        parts = {k: IdoNames(v["ido"], dict(v["names"]), tuple(v["available"])) for k, v in data.items()}
        return cls(**parts)


class FactStore(Protocol):
    """Where discovered tenant facts are kept per connection (the store's `SyncState`)."""

    def get(self, connection_id: str, key: str, default: Any = None) -> Any: ...

    def put(self, connection_id: str, key: str, value: Any) -> None: ...


SCHEMA_KEY = "syteline_schema"


def load_schema(facts: FactStore | None, connection_id: str, fingerprint: str) -> SiteSchema | None:
    """The schema kept for the connection, if it was discovered under the same settings."""
    if facts is None or not connection_id:
        return None
    kept = facts.get(connection_id, SCHEMA_KEY)
    if not isinstance(kept, dict) or kept.get("fingerprint") != fingerprint:
        return None
    try:
        return SiteSchema.from_json(kept["schema"])
    except (KeyError, TypeError):
        return None  # an older shape: discover again


def keep_schema(facts: FactStore | None, connection_id: str, fingerprint: str, found: SiteSchema) -> None:
    if facts is not None and connection_id:
        facts.put(connection_id, SCHEMA_KEY, {"fingerprint": fingerprint, "schema": found.to_json()})
