"""Deterministic generator of a professional-services firm on Gusto and its CloudSuite master data.

`generate_world(seed, employees)` returns plain dataclasses and does no I/O. The same seed and `today`
always give the same world. Payroll rows are computed lazily (see generator_payroll), so a 50 000-employee
world with months of payroll history is cheap until a payroll is read.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta

from connector_assets.sandbox import clock as sandbox_clock
from connector_assets.sandbox.generator_contractors import build_contractors
from connector_assets.sandbox.generator_history import BIWEEKLY, SEMIMONTHLY, build_history, pay_periods
from connector_assets.sandbox.generator_ids import money_between, new_uuid
from connector_assets.sandbox.generator_ledger import build_cost_centers, build_gl_accounts
from connector_assets.sandbox.generator_models import (
    AppCredentials,
    Benefit,
    Company,
    CompanyBenefit,
    Compensation,
    CostCenter,
    Deduction,
    Department,
    Employee,
    GLAccount,
    Job,
    Location,
    Payroll,
    PaySchedule,
    Termination,
    World,
)
from connector_assets.sandbox.generator_names import FIRST_NAMES, LAST_NAMES

__all__ = [
    "AppCredentials",
    "CostCenter",
    "Employee",
    "GLAccount",
    "Payroll",
    "World",
    "generate_world",
    "new_uuid",
    "pay_periods",
]

DEPARTMENTS: tuple[tuple[str, str, float, tuple[str, ...], tuple[str, ...]], ...] = (
    # title, cost center, share of hourly staff, salaried titles, hourly titles
    ("Engineering", "CC200", 0.05, ("Software Engineer", "Senior Engineer", "QA Analyst"), ("QA Tester",)),
    ("Consulting", "CC300", 0.35, ("Consultant", "Senior Consultant"), ("Project Coordinator", "Analyst")),
    ("Sales", "CC400", 0.10, ("Account Executive", "Sales Manager"), ("Sales Development Rep",)),
    ("Finance & Admin", "CC500", 0.15, ("Accountant", "Payroll Specialist"), ("Office Assistant",)),
    ("Operations", "CC600", 0.80, ("Operations Manager",), ("Support Technician", "Dispatcher", "Field Tech")),
)
SECOND_JOB_TITLES = ("Trainer", "Field Support", "Event Staff")
OFFICES = (
    ("SF", "300 3rd Street", "San Francisco", "CA", "94107", 340, 600),
    ("NYC", "55 Water Street", "New York", "NY", "10041", 410, 550),
    ("AUS", "500 W 2nd Street", "Austin", "TX", "78701", 270, 0),
)


def _company(rng: random.Random, today: date) -> Company:
    return Company(
        uuid=new_uuid(rng),
        name="Northwind Advisory Group LLC",
        slug="northwind-advisory-group",
        ein=f"{rng.randint(10, 99)}-{rng.randint(1_000_000, 9_999_999)}",
        entity_type="LLC",
        join_date=today.replace(year=today.year - 6, day=1),
        admin_uuid=new_uuid(rng),
        application_uuid=new_uuid(rng),
    )


def _locations(rng: random.Random, today: date) -> list[Location]:
    created = datetime.combine(today.replace(year=today.year - 6, day=1), time(9), UTC)
    return [
        Location(new_uuid(rng), code, street, city, state, zip_code, f"415555{1000 + i:04d}", created, sui, sit)
        for i, (code, street, city, state, zip_code, sui, sit) in enumerate(OFFICES)
    ]


def _pay_schedules(rng: random.Random, today: date) -> list[PaySchedule]:
    anchor_end = today - timedelta(days=(today.weekday() - 5) % 7 + 14)  # a Saturday two weeks back
    return [
        PaySchedule(
            new_uuid(rng),
            SEMIMONTHLY,
            today.replace(day=20),
            today.replace(day=15),
            15,
            31,
            "Salaried: 1st-15th and 16th-end, paid the 20th and 5th",
            24,
        ),
        PaySchedule(
            new_uuid(rng),
            BIWEEKLY,
            anchor_end + timedelta(days=6),
            anchor_end,
            None,
            None,
            "Hourly: every other week, paid the following Friday",
            26,
        ),
    ]


def _employee(rng: random.Random, seq: int, today: date, company: Company, ctx: dict[str, list]) -> Employee:
    departments: list[Department] = ctx["departments"]
    dept_index = rng.choices(range(len(departments)), weights=(30, 25, 15, 10, 20))[0]
    dept = departments[dept_index]
    _, _, hourly_share, salaried_titles, hourly_titles = DEPARTMENTS[dept_index % len(DEPARTMENTS)]
    hourly = rng.random() < hourly_share
    location: Location = rng.choices(ctx["locations"], weights=(5, 3, 2))[0]
    schedule: PaySchedule = ctx["schedules"][1 if hourly else 0]
    recent = rng.random() < 0.06
    hire = today - timedelta(days=rng.randint(20, 150) if recent else rng.randint(200, 2200))
    emp_uuid = new_uuid(rng)
    first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
    emp = Employee(
        uuid=emp_uuid,
        seq=seq,
        first_name=first,
        last_name=last,
        email=f"{first.lower()}.{last.lower()}{seq}@example.com",
        employee_code=f"{rng.getrandbits(24):06x}",
        date_of_birth=date(rng.randint(1960, 2003), rng.randint(1, 12), rng.randint(1, 28)),
        department_uuid=dept.uuid,
        location_uuid=location.uuid,
        pay_schedule_uuid=schedule.uuid,
        payment_method="Check" if rng.random() < 0.08 else "Direct Deposit",
        hired_at=hire,
        created_at=datetime.combine(hire - timedelta(days=7), time(16), UTC),
        employment_status="full_time" if not hourly or rng.random() < 0.7 else "part_time_twenty_plus_hours",
    )
    if hourly:
        rate, unit, flsa, title = (
            money_between(rng, 20, 60, 1) + rng.choice((0, 50)),
            "Hour",
            "Nonexempt",
            hourly_titles,
        )
    else:
        rate, unit, flsa, title = money_between(rng, 60_000, 220_000, 500), "Year", "Exempt", salaried_titles
    emp.jobs.append(_job(rng, emp_uuid, rng.choice(title), hire, True, location.uuid, rate, unit, flsa))
    if hourly and rng.random() < 0.12:
        other = rng.choice(ctx["locations"])
        emp.jobs.append(
            _job(
                rng,
                emp_uuid,
                rng.choice(SECOND_JOB_TITLES),
                hire + timedelta(days=30),
                False,
                other.uuid,
                money_between(rng, 18, 35, 1),
                "Hour",
                "Nonexempt",
            )
        )
    if hire < today - timedelta(days=400) and rng.random() < 0.35:
        job = emp.jobs[0]
        raised = job.compensations[0].rate_cents * rng.randint(103, 108) // 100
        if unit == "Year":
            raised -= raised % 50_000  # salaries move in steps of $500
        effective = today - timedelta(days=rng.randint(30, 330))
        job.compensations.append(Compensation(new_uuid(rng), job.uuid, emp_uuid, raised, unit, flsa, effective))
    _benefits(rng, emp)
    if rng.random() < 0.06:
        low = max(hire + timedelta(days=30), today - timedelta(days=400))
        if low < today - timedelta(days=10):
            eff = low + timedelta(days=rng.randint(0, (today - timedelta(days=10) - low).days))
            emp.terminations.append(Termination(new_uuid(rng), emp_uuid, eff))
    if rng.random() < 0.05:
        other_cc = rng.choice([d.cost_center for d in departments if d.uuid != dept.uuid])
        emp.custom_fields["cost_center"] = other_cc
    return emp


def _job(rng, emp_uuid, title, hire, primary, location_uuid, rate, unit, flsa) -> Job:
    job = Job(new_uuid(rng), emp_uuid, title, hire, primary, location_uuid)
    job.compensations.append(Compensation(new_uuid(rng), job.uuid, emp_uuid, rate, unit, flsa, hire))
    return job


def _benefits(rng: random.Random, emp: Employee) -> None:
    if rng.random() < 0.7:
        emp.benefits.append(
            Benefit(
                "Medical Insurance",
                employee_cents=money_between(rng, 60, 200, 10),
                employer_cents=money_between(rng, 250, 600, 10),
            )
        )
    if rng.random() < 0.55:
        share = rng.choice((300, 400, 500, 600))
        emp.benefits.append(Benefit("401K", employee_bp=share, employer_bp=min(share, 400)))
    if rng.random() < 0.03:
        emp.deductions.append(Deduction("Child Support", money_between(rng, 100, 300, 25)))
    if rng.random() < 0.04:
        emp.deductions.append(Deduction("Charitable Donation", money_between(rng, 10, 50, 5)))


def _ensure_features(rng: random.Random, people: list[Employee], ctx: dict[str, list], today: date) -> None:
    """Small worlds must still show every feature: two-job staff, checks, terminations, overrides, garnishments
    (child support, which Gusto remits, and a student loan garnishment, which the company pays)."""
    hourly = [e for e in people if e.is_hourly]
    for emp in hourly[:2]:
        if len(emp.jobs) == 1:
            other = ctx["locations"][(emp.seq + 1) % len(ctx["locations"])]
            emp.jobs.append(
                _job(
                    rng,
                    emp.uuid,
                    SECOND_JOB_TITLES[0],
                    emp.hired_at + timedelta(days=30),
                    False,
                    other.uuid,
                    2500,
                    "Hour",
                    "Nonexempt",
                )
            )
    if not any(e.payment_method == "Check" for e in people):
        people[-1].payment_method = "Check"
    for emp in people[3 : 3 + max(0, 2 - sum(bool(e.terminations) for e in people))]:
        if emp.hired_at < today - timedelta(days=60):
            emp.terminations.append(Termination(new_uuid(rng), emp.uuid, today - timedelta(days=25)))
    if not any("cost_center" in e.custom_fields for e in people):
        people[1].custom_fields["cost_center"] = "CC300"
    if not any(d.name == "Child Support" for e in people for d in e.deductions):
        people[2].deductions.append(Deduction("Child Support", 15000))
    if people and not any("Garnishment" in d.name for e in people for d in e.deductions):
        # Post-tax and not remitted by Gusto: the company owes it to the creditor.
        people[0].deductions.append(Deduction("Student Loan Garnishment", 12500))


def generate_world(
    seed: int = 7,
    employees: int = 40,
    *,
    today: date | None = None,
    history_months: int = 8,
    gl_account_count: int | None = None,
    missing_cost_centers: Sequence[str] = (),
    redirect_uri: str = "http://127.0.0.1:8765/oauth/callback",
    contractors: int = 2,
) -> World:
    """Generate the reference scenario: three offices, five departments, salaried and hourly staff.

    `today` pins the calendar (default: the sandbox's today, `CONNECTOR_TODAY` or the real date); `history_months` of processed regular payrolls
    precede it, plus one off-cycle bonus run and one upcoming unprocessed payroll per schedule.
    `missing_cost_centers` leaves those codes out of CloudSuite so that department's payroll gets held.
    `contractors` (an hourly individual, a fixed-fee business, ...) are paid monthly over the same history.
    """
    if employees < 1:
        raise ValueError(f"employees must be at least 1, got {employees}")
    rng = random.Random(seed)
    today = today or sandbox_clock.today()
    company = _company(rng, today)
    locations = _locations(rng, today)
    departments = [Department(new_uuid(rng), title, cc) for title, cc, *_ in DEPARTMENTS]
    schedules = _pay_schedules(rng, today)
    ctx: dict[str, list] = {"departments": departments, "locations": locations, "schedules": schedules}
    people = [_employee(rng, i + 1, today, company, ctx) for i in range(employees)]
    if employees >= 10:
        _ensure_features(rng, people, ctx, today)
    app = AppCredentials(
        client_id=f"sandbox-{rng.getrandbits(64):016x}",
        client_secret=f"{rng.getrandbits(256):064x}",
        redirect_uri=redirect_uri,
    )
    world = World(
        seed=seed,
        today=today,
        company=company,
        locations=locations,
        departments=departments,
        employees=people,
        pay_schedules=schedules,
        payrolls=[],
        gl_accounts=build_gl_accounts(gl_account_count),
        cost_centers=build_cost_centers(departments, missing_cost_centers),
        app=app,
    )
    build_history(rng, world, history_months)
    build_contractors(world, contractors, history_months)
    world.company_benefits = standard_company_benefits(world)
    return world


# The generated employees' benefits and their Gusto benefit types (GET /v1/benefits: 1 Medical Insurance, 5 401(k)).
STANDARD_BENEFITS = (("Medical Insurance", 1), ("401K", 5))


def standard_company_benefits(world: World) -> list[CompanyBenefit]:
    """The company benefits behind the generated payrolls' benefit names (uuids derived, the rng untouched)."""
    return [
        CompanyBenefit(str(uuid.uuid5(uuid.UUID(world.company.uuid), f"benefit:{name}")), kind, name)
        for name, kind in STANDARD_BENEFITS
    ]
