"""Contractors and contractor payments (OAS `Contractor`, `Contractor-Payment`, `Contractor-Payment-Summary`).

The payments list needs `start_date` and `end_date` (Gusto documents both as required); it groups payments
by contractor, or by check date with `group_by_date=true`, newest first, and pages the groups.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date
from typing import TYPE_CHECKING, Any

from starlette.routing import Route

from connector_assets.sandbox.generator_contractors import Contractor, ContractorPayment
from connector_assets.sandbox.gusto.http import ApiError, Ctx, Reply, endpoint, not_found, paginate
from connector_assets.sandbox.gusto.serialize import money, version_of

if TYPE_CHECKING:
    from connector_assets.sandbox.generator_models import World
    from connector_assets.sandbox.gusto.simulator import GustoSimulator


def hours(milli: int) -> str:
    return f"{milli // 1000}.{milli % 1000:03d}"


def contractor_json(world: World, c: Contractor) -> dict[str, Any]:
    dept = world.department(c.department_uuid)
    return {
        "uuid": c.uuid,
        "company_uuid": world.company.uuid,
        "wage_type": c.wage_type,
        "start_date": c.start_date.isoformat(),
        "is_active": c.is_active,
        "version": version_of(c.uuid, c.department_uuid, c.hourly_rate_cents, c.payment_method, c.is_active),
        "type": c.type,
        "first_name": c.first_name,
        "last_name": c.last_name,
        "middle_initial": None,
        "business_name": c.business_name,
        "ein": "XX-XXX0001" if c.type == "Business" else None,
        "has_ein": c.type == "Business",
        "has_ssn": c.type == "Individual",
        "email": c.email,
        "file_new_hire_report": False,
        "work_state": None,
        "onboarded": True,
        "onboarding_status": "onboarding_completed",
        "hourly_rate": money(c.hourly_rate_cents),
        "payment_method": c.payment_method,
        "department_uuid": c.department_uuid,
        "department": dept.title if dept else None,
        "department_title": dept.title if dept else None,
        "dismissal_date": None,
    }


def payment_json(p: ContractorPayment, today: date) -> dict[str, Any]:
    return {
        "uuid": p.uuid,
        "contractor_uuid": p.contractor_uuid,
        "bonus": money(p.bonus_cents),
        "date": p.date.isoformat(),
        "hours": hours(p.hours_milli),
        "payment_method": p.payment_method,
        "reimbursement": money(p.reimbursement_cents),
        "status": p.status,
        "hourly_rate": money(p.hourly_rate_cents),
        "may_cancel": p.date > today,
        "wage": money(p.wage_cents),
        "wage_type": p.wage_type,
        "wage_total": money(p.wage_total_cents),
    }


def _group(key_name: str, key: str, payments: list[ContractorPayment], today: date) -> dict[str, Any]:
    return {
        key_name: key,
        "reimbursement_total": money(sum(p.reimbursement_cents for p in payments)),
        "wage_total": money(sum(p.wage_total_cents for p in payments)),
        "payments": [payment_json(p, today) for p in payments],
    }


def _grouped(
    payments: Iterable[ContractorPayment], key: Callable[[ContractorPayment], str]
) -> dict[str, list[ContractorPayment]]:
    groups: dict[str, list[ContractorPayment]] = {}
    for p in sorted(payments, key=lambda p: (p.date, p.uuid), reverse=True):  # newest first
        groups.setdefault(key(p), []).append(p)
    return groups


def _required_date(ctx: Ctx, name: str) -> date:
    raw = ctx.query.get(name)
    if not raw:
        raise ApiError(422, "missing_parameter", f"{name} is required.", name)
    try:
        return date.fromisoformat(raw)
    except ValueError as exc:
        raise ApiError(
            422, "invalid_parameter", f"{name} must be a date as YYYY-MM-DD, got {raw!r}.", name
        ) from exc


def routes(sim: GustoSimulator) -> list[Route]:
    world = sim.world

    def list_contractors(ctx: Ctx) -> Reply:
        ctx.require_company(ctx.path["company_uuid"], world.company.uuid)
        with sim.lock:
            rows, headers = paginate(
                [contractor_json(world, c) for c in world.contractors], ctx.query, max_per=sim.options.max_per_page
            )
        return Reply(rows, headers=headers)

    def get_contractor(ctx: Ctx) -> Reply:
        with sim.lock:
            contractor = world.contractor(ctx.path["contractor_uuid"])
            if contractor is None:
                raise not_found(f"contractor {ctx.path['contractor_uuid']}")
            return Reply(contractor_json(world, contractor))

    def list_payments(ctx: Ctx) -> Reply:
        ctx.require_company(ctx.path["company_id"], world.company.uuid)
        start, end = _required_date(ctx, "start_date"), _required_date(ctx, "end_date")
        wanted = ctx.query.get("contractor_uuid")
        by_date = ctx.query.get("group_by_date", "").lower() == "true"
        with sim.lock:
            today = sim.clock.today()
            chosen = [
                p for p in world.contractor_payments
                if start <= p.date <= end and (not wanted or p.contractor_uuid == wanted)
            ]  # fmt: skip
            if by_date:
                groups = [
                    _group("check_date", k, v, today)
                    for k, v in _grouped(chosen, lambda p: p.date.isoformat()).items()
                ]
            else:
                groups = [
                    _group("contractor_uuid", k, v, today)
                    for k, v in _grouped(chosen, lambda p: p.contractor_uuid).items()
                ]
            page, headers = paginate(groups, ctx.query, max_per=sim.options.max_per_page)
            total = {
                "reimbursements": money(sum(p.reimbursement_cents for p in chosen)),
                "wages": money(sum(p.wage_total_cents for p in chosen)),
            }
        return Reply({"total": total, "contractor_payments": page}, headers=headers)

    def get_payment(ctx: Ctx) -> Reply:
        ctx.require_company(ctx.path["company_id"], world.company.uuid)
        with sim.lock:
            payment = next((p for p in world.contractor_payments if p.uuid == ctx.path["payment_id"]), None)
            if payment is None:
                raise not_found(f"contractor payment {ctx.path['payment_id']}")
            return Reply(payment_json(payment, sim.clock.today()))

    return [
        Route(
            "/v1/companies/{company_uuid}/contractors", endpoint(sim, list_contractors, scope="contractors:read")
        ),
        Route("/v1/contractors/{contractor_uuid}", endpoint(sim, get_contractor, scope="contractors:read")),
        Route(
            "/v1/companies/{company_id}/contractor_payments", endpoint(sim, list_payments, scope="payrolls:read")
        ),
        Route(
            "/v1/companies/{company_id}/contractor_payments/{payment_id}",
            endpoint(sim, get_payment, scope="payrolls:read"),
        ),
    ]
