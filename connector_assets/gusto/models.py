"""Typed Gusto records (company, organisation, people, events): the vendor's field names, exact money.

Each record keeps the JSON it was read from in `raw` (unknown fields included) for the audit trail;
`raw` takes no part in equality or `repr`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from connector_assets.gusto.parsing import GustoParseError, day, dicts, flag, items, money, obj, record, text

Raw = dict[str, Any]


@dataclass(frozen=True)
class TokenInfo:
    """`GET /v1/token_info`: which company (or application) a token belongs to."""

    scope: str
    resource_type: str | None
    resource_uuid: str | None
    owner_type: str | None
    owner_uuid: str | None
    raw: Raw = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_api(cls, d: Raw) -> TokenInfo:
        d = record(d, "token_info")
        resource, owner = obj(d.get("resource")), obj(d.get("resource_owner"))
        return cls(
            str(d.get("scope") or ""), text(resource.get("type")), text(resource.get("uuid")),
            text(owner.get("type")), text(owner.get("uuid")), d,
        )  # fmt: skip

    @property
    def company_uuid(self) -> str | None:
        return self.resource_uuid if self.resource_type == "Company" else None


@dataclass(frozen=True)
class Location:
    uuid: str
    company_uuid: str | None
    street_1: str | None
    street_2: str | None
    city: str | None
    state: str | None
    zip: str | None
    country: str | None
    active: bool | None
    version: str | None = None
    raw: Raw = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_api(cls, d: Raw) -> Location:
        g = record(d, "location").get
        return cls(
            str(g("uuid")), text(g("company_uuid")), text(g("street_1")), text(g("street_2")), text(g("city")),
            text(g("state")), text(g("zip")), text(g("country")), flag(g("active")), text(g("version")), d,
        )  # fmt: skip


@dataclass(frozen=True)
class Company:
    uuid: str
    name: str | None
    trade_name: str | None
    ein: str | None
    entity_type: str | None
    company_status: str | None
    pay_schedule_type: str | None
    join_date: date | None
    locations: tuple[Location, ...] = ()
    raw: Raw = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_api(cls, d: Raw) -> Company:
        g = record(d, "company").get
        return cls(
            str(g("uuid")), text(g("name")), text(g("trade_name")), text(g("ein")), text(g("entity_type")),
            text(g("company_status")), text(g("pay_schedule_type")), day(g("join_date")),
            tuple(Location.from_api(x) for x in dicts(g("locations"))), d,
        )  # fmt: skip


@dataclass(frozen=True)
class Department:
    uuid: str
    company_uuid: str | None
    title: str | None
    version: str | None
    employee_uuids: tuple[str, ...] = ()
    raw: Raw = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_api(cls, d: Raw) -> Department:
        d = record(d, "department")
        members = tuple(str(e["uuid"]) for e in dicts(d.get("employees")) if e.get("uuid"))
        return cls(str(d.get("uuid")), text(d.get("company_uuid")), text(d.get("title")), text(d.get("version")),
                   members, d)  # fmt: skip


@dataclass(frozen=True)
class Compensation:
    uuid: str
    job_uuid: str | None
    employee_uuid: str | None
    rate: Decimal | None
    payment_unit: str | None
    flsa_status: str | None
    effective_date: date | None
    version: str | None = None
    raw: Raw = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_api(cls, d: Raw) -> Compensation:
        g = record(d, "compensation").get
        uuid = str(g("uuid"))
        return cls(
            uuid, text(g("job_uuid")), text(g("employee_uuid")), money(g("rate"), f"compensation {uuid} rate"),
            text(g("payment_unit")), text(g("flsa_status")), day(g("effective_date")), text(g("version")), d,
        )  # fmt: skip


@dataclass(frozen=True)
class Job:
    uuid: str
    employee_uuid: str | None
    title: str | None
    primary: bool
    hire_date: date | None
    rate: Decimal | None
    payment_unit: str | None
    current_compensation_uuid: str | None
    location_uuid: str | None
    compensations: tuple[Compensation, ...] = ()
    version: str | None = None
    raw: Raw = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_api(cls, d: Raw) -> Job:
        g = record(d, "job").get
        uuid = str(g("uuid"))
        return cls(
            uuid, text(g("employee_uuid")), text(g("title")), bool(g("primary")), day(g("hire_date")),
            money(g("rate"), f"job {uuid} rate"), text(g("payment_unit")), text(g("current_compensation_uuid")),
            text(g("location_uuid")), tuple(Compensation.from_api(c) for c in dicts(g("compensations"))),
            text(g("version")), d,
        )  # fmt: skip


@dataclass(frozen=True)
class Termination:
    uuid: str | None
    employee_uuid: str | None
    effective_date: date | None
    active: bool | None
    cancelable: bool | None
    run_termination_payroll: bool | None
    version: str | None = None
    raw: Raw = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_api(cls, d: Raw) -> Termination:
        g = record(d, "termination").get
        return cls(
            text(g("uuid")), text(g("employee_uuid")), day(g("effective_date")), flag(g("active")),
            flag(g("cancelable")), flag(g("run_termination_payroll")), text(g("version")), d,
        )  # fmt: skip


@dataclass(frozen=True)
class Rehire:
    employee_uuid: str | None
    effective_date: date | None
    employment_status: str | None
    work_location_uuid: str | None
    active: bool | None
    version: str | None = None
    raw: Raw = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_api(cls, d: Raw) -> Rehire:
        g = record(d, "rehire").get
        return cls(text(g("employee_uuid")), day(g("effective_date")), text(g("employment_status")),
                   text(g("work_location_uuid")), flag(g("active")), text(g("version")), d)  # fmt: skip


@dataclass(frozen=True)
class CustomField:
    id: str | None
    company_custom_field_id: str | None
    name: str
    type: str | None
    value: str | None
    raw: Raw = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_api(cls, d: Raw) -> CustomField:
        g = record(d, "custom_field").get
        return cls(text(g("id")), text(g("company_custom_field_id")), str(g("name") or ""), text(g("type")),
                   text(g("value")), d)  # fmt: skip


@dataclass(frozen=True)
class Employee:
    uuid: str
    company_uuid: str | None
    first_name: str | None
    last_name: str | None
    preferred_first_name: str | None
    email: str | None
    work_email: str | None
    employee_code: str | None
    department: str | None
    department_uuid: str | None
    manager_uuid: str | None
    terminated: bool
    onboarded: bool | None
    onboarding_status: str | None
    current_employment_status: str | None
    payment_method: str | None
    jobs: tuple[Job, ...] = ()
    terminations: tuple[Termination, ...] = ()
    custom_fields: tuple[CustomField, ...] = ()
    version: str | None = None
    raw: Raw = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_api(cls, d: Raw) -> Employee:
        g = record(d, "employee").get
        return cls(
            str(g("uuid")), text(g("company_uuid")), text(g("first_name")), text(g("last_name")),
            text(g("preferred_first_name")), text(g("email")), text(g("work_email")), text(g("employee_code")),
            text(g("department")), text(g("department_uuid")), text(g("manager_uuid")), bool(g("terminated")),
            flag(g("onboarded")), text(g("onboarding_status")), text(g("current_employment_status")),
            text(g("payment_method")), tuple(Job.from_api(j) for j in dicts(g("jobs"))),
            tuple(Termination.from_api(t) for t in dicts(g("terminations"))),
            tuple(CustomField.from_api(c) for c in dicts(g("custom_fields"))), text(g("version")), d,
        )  # fmt: skip

    @property
    def primary_job(self) -> Job | None:
        return next((j for j in self.jobs if j.primary), self.jobs[0] if self.jobs else None)

    def custom_field(self, name: str) -> str | None:
        """The value of the custom field called `name` (case-insensitive), if the employee has one."""
        wanted = name.casefold()
        return next((c.value for c in self.custom_fields if c.name.casefold() == wanted), None)


@dataclass(frozen=True)
class PaySchedule:
    uuid: str
    frequency: str | None
    anchor_pay_date: date | None
    anchor_end_of_pay_period: date | None
    day_1: int | None
    day_2: int | None
    name: str | None
    custom_name: str | None
    auto_payroll: bool | None
    active: bool | None
    version: str | None = None
    raw: Raw = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_api(cls, d: Raw) -> PaySchedule:
        g = record(d, "pay_schedule").get
        auto = g("auto_payroll") if "auto_payroll" in d else g("auto_pilot")
        return cls(
            str(g("uuid")), text(g("frequency")), day(g("anchor_pay_date")), day(g("anchor_end_of_pay_period")),
            g("day_1"), g("day_2"), text(g("name")), text(g("custom_name")), flag(auto), flag(g("active")),
            text(g("version")), d,
        )  # fmt: skip


@dataclass(frozen=True)
class Event:
    """A thin event (webhook or `/v1/events`); `uuid` is the dedupe key."""

    uuid: str
    event_type: str | None
    resource_type: str | None
    resource_uuid: str | None
    entity_type: str | None
    entity_uuid: str | None
    timestamp: int | None
    references: dict[str, Any] = field(default_factory=dict)
    raw: Raw = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_api(cls, d: Raw) -> Event:
        g = record(d, "event").get
        ts = g("timestamp")
        if ts is not None and (isinstance(ts, bool) or not str(ts).isdigit()):
            raise GustoParseError(f"event {g('uuid')}: timestamp {ts!r} is not a Unix time in seconds")
        return cls(
            str(g("uuid")), text(g("event_type")), text(g("resource_type")), text(g("resource_uuid")),
            text(g("entity_type")), text(g("entity_uuid")), int(ts) if ts is not None else None,
            dict(obj(g("references"))), d,
        )  # fmt: skip


@dataclass(frozen=True)
class WebhookSubscription:
    uuid: str
    url: str | None
    status: str | None
    subscription_types: tuple[str, ...] = ()
    raw: Raw = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_api(cls, d: Raw) -> WebhookSubscription:
        d = record(d, "webhook_subscription")
        types = tuple(str(t) for t in items(d.get("subscription_types")))
        return cls(str(d.get("uuid")), text(d.get("url")), text(d.get("status")), types, d)
