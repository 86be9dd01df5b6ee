"""Typed settings: environment variables and the connections file (ARCHITECTURE §3).

A connection joins one Gusto company to one CloudSuite tenant. The file holds no secrets: client
credentials are named by environment variable, tokens live in the encrypted vault.
"""

from __future__ import annotations

import os
from datetime import date
from functools import cached_property
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

CONNECTIONS_ENV = "CONNECTOR_CONNECTIONS"
DEFAULT_CONNECTIONS_FILE = "connections.yaml"
GUSTO_PRODUCTION_URL = "https://api.gusto.com"
GUSTO_DEMO_URL = "https://api.gusto-demo.com"
GUSTO_API_VERSION = "2026-06-15"


class ConnectionsFileError(ValueError):
    """The connections file is missing or invalid; the message names the file, the connection and the key."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class GustoSettings(_Strict):
    """The Gusto side of a connection."""

    company_uuid: str = Field(min_length=1)
    client_id_env: str = "GUSTO_CLIENT_ID"
    client_secret_env: str = "GUSTO_CLIENT_SECRET"
    redirect_uri: str = "http://127.0.0.1:8765/callback"
    api_base_url: str = GUSTO_PRODUCTION_URL
    oauth_base_url: str | None = None
    api_version: str = Field(default=GUSTO_API_VERSION, pattern=r"^\d{4}-\d{2}-\d{2}$")
    start_date: date | None = None
    cost_center_field: str | None = None
    refresh_margin_s: int = Field(default=300, ge=0)
    # The fallback poll lists contractor payments dated this many days either side of today.
    contractor_poll_days: int = Field(default=14, ge=0, le=366)

    @property
    def oauth_url(self) -> str:
        """OAuth endpoints live on the API host unless configured apart."""
        return (self.oauth_base_url or self.api_base_url).rstrip("/")

    def client_credentials(self) -> tuple[str, str]:
        """Client id and secret from the environment variables this connection names."""
        missing = [name for name in (self.client_id_env, self.client_secret_env) if not os.environ.get(name)]
        if missing:
            raise ConnectionsFileError(
                f"environment variable(s) {', '.join(missing)} not set (Gusto app credentials)"
            )
        return os.environ[self.client_id_env], os.environ[self.client_secret_env]


class M3Template(_Strict):
    """Tenant facts of M3's generic GL interface (GLS850) that differ between installations."""

    interface_name: str = Field(default="PAYROLL", min_length=1, max_length=10)
    record_identity: str = Field(default="I1", min_length=1, max_length=4)
    amount_style: Literal["signed", "dbcr"] = "signed"
    page_size: int = Field(default=1000, ge=1, le=10000)
    # How this tenant reports a duplicate batch key or line (undocumented): codes and message parts.
    duplicate_codes: list[str] = []
    duplicate_messages: list[str] = ["already exists"]
    updated_messages: list[str] = ["already updated"]
    voucher_search_limit: int = Field(default=2000, ge=10, le=100000)


class SyteLineTemplate(_Strict):
    """Site facts of SyteLine's IDOs: journal id, optional property-name overrides, cost-center property."""

    journal_id: str = Field(default="GJ", min_length=1)
    employee_cost_center: str | None = None
    # Property-name overrides (field -> IDO property); by default names are discovered from the site.
    chart: dict[str, str] = {}
    unit: dict[str, str] = {}
    journal: dict[str, str] = {}
    ledger: dict[str, str] = {}
    employee: dict[str, str] = {}
    # Employee numbers that do not fit SyteLine's 7-character EmpNum -> the site's employee number.
    employee_numbers: dict[str, str] = {}
    # Journal rows per UpdateCollection request; null sends all in one (for a site checking balance per request).
    rows_per_request: int | None = Field(default=1, ge=1)
    page_size: int = Field(default=1000, ge=1, le=10000)


class FsmTemplate(_Strict):
    """Tenant facts of FSM (CloudSuite Financials) journal interfacing; `connector cloudsuite check` prints them."""

    finance_enterprise_group: str | None = Field(default=None, min_length=1, max_length=30)
    accounting_entity: str | None = Field(default=None, min_length=1, max_length=12)
    # Which field holds the cost center: the accounting unit, or a finance dimension chosen by the customer.
    cost_center_dimension: str = Field(
        default="AccountingUnit", pattern=r"^(AccountingUnit|FinanceDimension([1-9]|10))$"
    )
    cost_center_active_field: str = Field(default="Active", min_length=1)
    journal_code: str | None = Field(default=None, min_length=1, max_length=10)
    system_code: str | None = Field(default=None, min_length=1, max_length=10)
    context_path: str = Field(default="FSM/fsm/soap", pattern=r"^[A-Za-z0-9_./-]+$")
    journal_class: str = Field(default="GeneralLedgerTransaction", min_length=1)
    edit_and_interface: bool = True
    page_size: int = Field(default=100, ge=1, le=10000)
    batch_size: int = Field(default=100, ge=1, le=1000)


class CloudSuiteSettings(_Strict):
    """The Infor CloudSuite side of a connection."""

    ionapi_file: Path
    erp: Literal["m3", "syteline", "fsm"]
    company: str | None = None
    division: str | None = None
    site: str | None = None
    mongoose_config: str | None = None
    cost_center_dimension: int = Field(default=2, ge=2, le=7)
    currency: str = Field(default="USD", pattern=r"^[A-Z]{3}$")
    refresh_margin_s: int = Field(default=300, ge=0)
    max_concurrency: int = Field(default=4, ge=1, le=64)
    m3: M3Template = M3Template()
    syteline: SyteLineTemplate = SyteLineTemplate()
    fsm: FsmTemplate = FsmTemplate()

    @model_validator(mode="after")
    def _flavour_keys(self) -> CloudSuiteSettings:
        if self.erp == "m3" and not (self.company and self.division):
            raise ValueError("erp m3 needs company (CONO) and division (DIVI)")
        if self.erp == "syteline" and not (self.site and self.mongoose_config):
            raise ValueError("erp syteline needs site and mongoose_config")
        if self.erp == "fsm" and not (self.fsm.finance_enterprise_group and self.fsm.accounting_entity):
            raise ValueError(
                "erp fsm needs fsm.finance_enterprise_group and fsm.accounting_entity "
                "(`connector cloudsuite check <id>` lists the tenant's)"
            )
        return self


class AccrualSettings(_Strict):
    """Period-end accrual of wages and employer cost earned but not yet paid (off unless enabled)."""

    enabled: bool = False
    accrued_wages_account: str | None = Field(default=None, min_length=1)
    accrued_employer_cost_account: str | None = Field(default=None, min_length=1)

    @model_validator(mode="after")
    def _accounts_when_enabled(self) -> AccrualSettings:
        if self.enabled and not (self.accrued_wages_account and self.accrued_employer_cost_account):
            raise ValueError(
                "posting.accrual.enabled needs accrued_wages_account and accrued_employer_cost_account "
                "(the liability accounts the accrual credits)"
            )
        return self


class PostingSettings(_Strict):
    """How journals are built and released."""

    date_basis: Literal["check_date", "period_end", "debit_date"] = "check_date"
    detail: Literal["summarized", "per_employee"] = "summarized"
    require_approval: bool = False
    master_data_max_age_s: int = Field(default=900, ge=0)
    # An asynchronously submitted journal not found in CloudSuite after this long is reported as overdue.
    confirm_within_s: int = Field(default=3600, ge=1)
    # Gross pay no earning line itemizes, for an employee without PTO hours, tolerated before a hold.
    unitemized_tolerance_cents: int = Field(default=100, ge=0)
    # Which assignment a payroll uses: the one in force at period end, or each prorated by calendar days.
    assignment_basis: Literal["period_end", "prorate"] = "period_end"
    # Taxes in one employer-tax expense and one tax credit, or each Gusto tax to its own accounts (mapping taxes:).
    taxes: Literal["consolidated", "itemized"] = "consolidated"
    accrual: AccrualSettings = AccrualSettings()
    # How the accrual counts earned, unpaid days and a pay period's days: every day, or Monday to Friday.
    accrual_days: Literal["calendar", "working"] = "calendar"


class Connection(_Strict):
    """One Gusto company joined to one CloudSuite tenant."""

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]{0,39}$")
    gusto: GustoSettings
    cloudsuite: CloudSuiteSettings
    mapping_file: Path
    posting: PostingSettings = PostingSettings()


class ConnectionsFile(_Strict):
    """The whole file: a list of connections with unique ids."""

    connections: list[Connection] = Field(min_length=1)

    @cached_property
    def by_id(self) -> dict[str, Connection]:
        return {c.id: c for c in self.connections}

    def get(self, connection_id: str) -> Connection:
        try:
            return self.by_id[connection_id]
        except KeyError:
            known = ", ".join(sorted(self.by_id)) or "none"
            raise ConnectionsFileError(f"unknown connection {connection_id!r} (known: {known})") from None


def connections_path() -> Path:
    return Path(os.environ.get(CONNECTIONS_ENV) or DEFAULT_CONNECTIONS_FILE)


def _describe(error: Any) -> str:
    if error["type"] == "literal_error":
        allowed = error["ctx"]["expected"].replace("'", "").replace(" or ", ", ")
        return f"must be one of {allowed}"
    if error["type"] == "missing":
        return "is required"
    if error["type"] == "extra_forbidden":
        return "is not a known key"
    return str(error["msg"]).removeprefix("Value error, ")


def _format(path: Path, raw: Any, exc: ValidationError) -> str:
    lines = []
    for error in exc.errors():
        loc = list(error["loc"])
        where = path.name
        if len(loc) >= 2 and loc[0] == "connections" and isinstance(loc[1], int):
            entry = raw["connections"][loc[1]] if isinstance(raw, dict) else None
            name = entry.get("id") if isinstance(entry, dict) else None
            where += f": connection {name!r}" if name else f": connection #{loc[1] + 1}"
            loc = loc[2:]
        key = ".".join(str(p) for p in loc)
        lines.append(f"{where}: {key + ' ' if key else ''}{_describe(error)}")
    return "\n".join(lines)


# libyaml's safe loader when built in (as for mapping files): the same grammar, many times faster.
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
# The last file parsed per path, with its text: a run reads the file once per resource that holds it, and a
# process that runs many jobs reads it for each; unchanged text is not parsed and validated again.
_PARSED: dict[Path, tuple[str, ConnectionsFile]] = {}


def load_connections(path: Path | str | None = None) -> ConnectionsFile:
    """Read and validate the connections file; relative paths inside it are taken from its folder."""
    path = Path(path) if path else connections_path()
    if not path.exists():
        raise ConnectionsFileError(
            f"{path}: not found; set {CONNECTIONS_ENV} or create {DEFAULT_CONNECTIONS_FILE}"
        )
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        reason = "not UTF-8 text" if isinstance(exc, UnicodeDecodeError) else f"cannot be read ({exc.strerror})"
        raise ConnectionsFileError(f"{path}: {reason}; write the connections file as UTF-8 YAML") from None
    key = path.resolve()
    cached = _PARSED.get(key)
    if cached is not None and cached[0] == text:
        return cached[1]
    parsed = _parse_connections(path, text)
    _PARSED[key] = (text, parsed)
    return parsed


def _parse_connections(path: Path, text: str) -> ConnectionsFile:
    try:
        raw = yaml.load(text, Loader=_LOADER) or {}  # noqa: S506 - a safe loader
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        at = f" line {mark.line + 1}" if mark else ""
        raise ConnectionsFileError(
            f"{path.name}:{at} is not valid YAML ({getattr(exc, 'problem', exc)})"
        ) from None
    if not isinstance(raw, dict):
        raise ConnectionsFileError(f"{path.name}: expected a mapping with a 'connections' list")
    try:
        parsed = ConnectionsFile.model_validate(raw)
    except ValidationError as exc:
        raise ConnectionsFileError(_format(path, raw, exc)) from None
    ids = [c.id for c in parsed.connections]
    dupes = sorted({i for i in ids if ids.count(i) > 1})
    if dupes:
        raise ConnectionsFileError(f"{path.name}: connection id(s) {', '.join(dupes)} appear more than once")
    base = path.resolve().parent
    return ConnectionsFile(
        connections=[
            c.model_copy(
                update={
                    "mapping_file": base / c.mapping_file,
                    "cloudsuite": c.cloudsuite.model_copy(update={"ionapi_file": base / c.cloudsuite.ionapi_file}),
                }
            )
            for c in parsed.connections
        ]
    )
