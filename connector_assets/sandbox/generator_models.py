"""Plain dataclasses of the generated world: a Gusto company and the matching CloudSuite master data.

Money is integer cents and hours are integer thousandths of an hour throughout; the simulator formats
them as Gusto's decimal strings only at the HTTP edge.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from connector_assets.sandbox.generator_contractors import Contractor, ContractorPayment


@dataclass(slots=True)
class AppCredentials:
    """The OAuth application registered in Gusto's developer portal."""

    client_id: str
    client_secret: str
    redirect_uri: str

    def __repr__(self) -> str:
        return f"AppCredentials(client_id={self.client_id!r}, redirect_uri={self.redirect_uri!r})"


@dataclass(slots=True)
class Company:
    uuid: str
    name: str
    slug: str
    ein: str
    entity_type: str
    join_date: date
    admin_uuid: str
    application_uuid: str


@dataclass(slots=True)
class Location:
    uuid: str
    code: str
    street_1: str
    city: str
    state: str
    zip: str
    phone_number: str
    created_at: datetime
    sui_rate_bp: int
    state_tax_bp: int


@dataclass(slots=True)
class Department:
    uuid: str
    title: str
    cost_center: str


@dataclass(slots=True)
class Compensation:
    uuid: str
    job_uuid: str
    employee_uuid: str
    rate_cents: int
    payment_unit: str  # Hour | Year
    flsa_status: str
    effective_date: date


@dataclass(slots=True)
class Job:
    uuid: str
    employee_uuid: str
    title: str
    hire_date: date
    primary: bool
    location_uuid: str
    compensations: list[Compensation] = field(default_factory=list)

    def compensation_on(self, day: date) -> Compensation:
        """The compensation in effect on `day` (the earliest one if `day` precedes them all)."""
        current = self.compensations[0]
        for comp in self.compensations:
            if comp.effective_date <= day:
                current = comp
        return current

    def current_compensation(self, today: date) -> Compensation:
        return self.compensation_on(today)


@dataclass(slots=True)
class Termination:
    uuid: str
    employee_uuid: str
    effective_date: date
    run_termination_payroll: bool = False


@dataclass(slots=True)
class Rehire:
    employee_uuid: str
    effective_date: date
    work_location_uuid: str
    employment_status: str = "full_time"


@dataclass(slots=True)
class Benefit:
    """A recurring benefit: the employee share in basis points of gross or as fixed cents, employer likewise."""

    name: str
    employee_bp: int = 0
    employee_cents: int = 0
    employer_bp: int = 0
    employer_cents: int = 0
    pre_tax: bool = True


@dataclass(slots=True)
class CompanyBenefit:
    """A benefit the company offers (OAS `Company-Benefit`): Gusto's `benefit_type` id and the company's own
    `description`, which is the name payrolls carry in `benefits[]`."""

    uuid: str
    benefit_type: int
    description: str
    active: bool = True


@dataclass(slots=True)
class Deduction:
    """A post-tax deduction or garnishment, fixed cents per regular paycheck."""

    name: str
    amount_cents: int


@dataclass(slots=True)
class Employee:
    uuid: str
    seq: int
    first_name: str
    last_name: str
    email: str
    employee_code: str
    date_of_birth: date
    department_uuid: str
    location_uuid: str
    pay_schedule_uuid: str
    payment_method: str  # Direct Deposit | Check
    hired_at: date
    created_at: datetime
    jobs: list[Job] = field(default_factory=list)
    terminations: list[Termination] = field(default_factory=list)
    rehires: list[Rehire] = field(default_factory=list)
    custom_fields: dict[str, str] = field(default_factory=dict)
    benefits: list[Benefit] = field(default_factory=list)
    deductions: list[Deduction] = field(default_factory=list)
    employment_status: str = "full_time"

    @property
    def primary_job(self) -> Job:
        return next(j for j in self.jobs if j.primary)

    def last_termination(self) -> Termination | None:
        return max(self.terminations, key=lambda t: t.effective_date) if self.terminations else None

    def last_rehire(self) -> Rehire | None:
        return max(self.rehires, key=lambda r: r.effective_date) if self.rehires else None

    def is_terminated(self, today: date) -> bool:
        """Terminated means a termination exists that no later rehire has undone (scheduled ones count)."""
        term = self.last_termination()
        if term is None:
            return False
        rehire = self.last_rehire()
        return rehire is None or rehire.effective_date <= term.effective_date or rehire.effective_date > today

    def employed_during(self, start: date, end: date) -> bool:
        """Whether any day of [start, end] falls inside an employment spell."""
        if self.hired_at > end:
            return False
        if not self.terminations and not self.rehires:  # the common case, kept cheap for large worlds
            return True
        spells: list[tuple[date, date | None]] = []
        begin: date = self.hired_at
        events = sorted(
            [(t.effective_date, "t") for t in self.terminations] + [(r.effective_date, "r") for r in self.rehires]
        )
        open_spell = True
        for day, kind in events:
            if kind == "t" and open_spell:
                spells.append((begin, day))
                open_spell = False
            elif kind == "r" and not open_spell:
                begin, open_spell = day, True
        if open_spell:
            spells.append((begin, None))
        return any(s <= end and (e is None or e >= start) for s, e in spells)

    @property
    def is_hourly(self) -> bool:
        return self.primary_job.compensations[-1].payment_unit == "Hour"


@dataclass(slots=True)
class PaySchedule:
    uuid: str
    frequency: str  # "Twice per month" | "Every other week"
    anchor_pay_date: date
    anchor_end_of_pay_period: date
    day_1: int | None
    day_2: int | None
    custom_name: str
    periods_per_year: int


@dataclass(slots=True)
class EarningLine:
    kind: str  # hourly | fixed
    name: str
    job_uuid: str
    amount_cents: int
    hours_milli: int = 0
    multiplier: str = "1"
    flsa_status: str = "Nonexempt"


@dataclass(slots=True)
class BenefitLine:
    name: str
    employee_cents: int
    company_cents: int
    imputed: bool = False


@dataclass(slots=True)
class EmployeePay:
    """One employee's row on a payroll; `gross`, `net` and `check` obey Gusto's per-employee definitions."""

    employee_uuid: str
    first_name: str
    last_name: str
    payment_method: str
    earnings: list[EarningLine]
    pto: list[tuple[str, int]]
    reimbursements: list[tuple[str, int]]
    benefits: list[BenefitLine]
    deductions: list[tuple[str, int]]
    taxes: list[tuple[str, bool, int]]
    gross_cents: int
    net_cents: int
    check_cents: int
    version: str = ""
    # Pay for the PTO hours: inside gross_cents, on no earning line (Gusto sends PTO as hours only).
    pto_cents: int = 0


@dataclass(slots=True)
class Payroll:
    uuid: str
    seq: int
    company_uuid: str
    pay_schedule_uuid: str | None
    start_date: date
    end_date: date
    check_date: date
    payroll_deadline: datetime
    created_at: datetime
    employee_uuids: list[str]
    off_cycle: bool = False
    off_cycle_reason: str | None = None
    processed: bool = True
    processed_date: date | None = None
    calculated_at: datetime | None = None
    bonus_cents: dict[str, int] = field(default_factory=dict)
    reversal_of: str | None = None
    reversal_payroll_uuids: list[str] = field(default_factory=list)
    withholding_pay_period: str | None = None
    pay: list[EmployeePay] | None = None

    @property
    def payroll_type(self) -> str:
        return "off_cycle" if self.off_cycle else "regular"


@dataclass(slots=True)
class GLAccount:
    """A CloudSuite general-ledger account; `role` says what payroll amount it is meant for."""

    account: str
    name: str
    account_type: str  # expense | liability | asset | equity
    role: str
    blocked: bool = False
    valid_from: date = date(2000, 1, 1)
    valid_to: date | None = None


@dataclass(slots=True)
class CostCenter:
    code: str
    name: str
    blocked: bool = False
    valid_from: date = date(2000, 1, 1)
    valid_to: date | None = None


@dataclass
class World:
    """Everything generated for one seed: the Gusto company, its people and payrolls, and CloudSuite master data."""

    seed: int
    today: date
    company: Company
    locations: list[Location]
    departments: list[Department]
    employees: list[Employee]
    pay_schedules: list[PaySchedule]
    payrolls: list[Payroll]
    gl_accounts: list[GLAccount]
    cost_centers: list[CostCenter]
    app: AppCredentials
    _employees_by_uuid: dict[str, Employee] = field(default_factory=dict, repr=False)
    contractors: list[Contractor] = field(default_factory=list)
    contractor_payments: list[ContractorPayment] = field(default_factory=list)
    company_benefits: list[CompanyBenefit] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._employees_by_uuid = {e.uuid: e for e in self.employees}

    def __repr__(self) -> str:
        return (
            f"World(seed={self.seed}, today={self.today}, company={self.company.name!r}, "
            f"employees={len(self.employees)}, payrolls={len(self.payrolls)})"
        )

    @property
    def client_id(self) -> str:
        return self.app.client_id

    @property
    def client_secret(self) -> str:
        return self.app.client_secret

    @property
    def redirect_uri(self) -> str:
        return self.app.redirect_uri

    def employee(self, uuid: str) -> Employee | None:
        return self._employees_by_uuid.get(uuid)

    def add_employee(self, employee: Employee) -> None:
        self.employees.append(employee)
        self._employees_by_uuid[employee.uuid] = employee

    def department(self, uuid: str | None) -> Department | None:
        return next((d for d in self.departments if d.uuid == uuid), None)

    def location(self, uuid: str | None) -> Location | None:
        return next((loc for loc in self.locations if loc.uuid == uuid), None)

    def pay_schedule(self, uuid: str | None) -> PaySchedule | None:
        return next((p for p in self.pay_schedules if p.uuid == uuid), None)

    def payroll(self, uuid: str) -> Payroll | None:
        return next((p for p in self.payrolls if p.uuid == uuid), None)

    def contractor(self, uuid: str) -> Contractor | None:
        return next((c for c in self.contractors if c.uuid == uuid), None)
