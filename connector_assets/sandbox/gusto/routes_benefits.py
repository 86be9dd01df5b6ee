"""Company benefits (OAS `Company-Benefit`) and Gusto's supported benefits (OAS `Supported-Benefit`).

`GET /v1/companies/{company_id}/company_benefits` answers a plain array (no paging), filtered by `active`
and by `benefit_type` (comma-separated ids) when asked; `GET /v1/benefits` lists the benefit types, shaped
as the spec's `Supported-Benefit-List` example.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from starlette.routing import Route

from connector_assets.sandbox.generator_models import CompanyBenefit, World
from connector_assets.sandbox.gusto.http import ApiError, Ctx, Reply, endpoint
from connector_assets.sandbox.gusto.serialize import version_of

if TYPE_CHECKING:
    from connector_assets.sandbox.gusto.simulator import GustoSimulator

# (benefit_type, name, pretax, healthcare, retirement, category) from the spec's supported-benefits example.
SUPPORTED = (
    (1, "Medical Insurance", True, True, False, "Health"),
    (2, "Dental Insurance", True, True, False, "Health"),
    (3, "Vision Insurance", True, True, False, "Health"),
    (5, "401(k)", True, False, True, "Savings and Retirement"),
    (6, "Health Savings Account", True, False, False, "Health"),
    (7, "Health FSA", True, False, False, "Health"),
    (8, "SIMPLE IRA", True, False, True, "Savings and Retirement"),
    (11, "Dependent Care FSA", True, False, False, "Health"),
    (105, "Roth 401(k)", False, False, True, "Savings and Retirement"),
    (110, "Roth 403(b)", False, False, True, "Savings and Retirement"),
)
SUPPORTED_TYPES = frozenset(row[0] for row in SUPPORTED)


def company_benefit_json(world: World, b: CompanyBenefit) -> dict[str, Any]:
    return {
        "uuid": b.uuid,
        "version": version_of(b.uuid, b.benefit_type, b.description, b.active),
        "company_uuid": world.company.uuid,
        "benefit_type": b.benefit_type,
        "active": b.active,
        "description": b.description,
        "source": "external",
        "partner_name": None,
        "deletable": False,
        "supports_percentage_amounts": True,
        "responsible_for_employer_taxes": False,
        "responsible_for_employee_w2": False,
    }


def supported_json(row: tuple[int, str, bool, bool, bool, str]) -> dict[str, Any]:
    kind, name, pretax, healthcare, retirement, category = row
    return {"benefit_type": kind, "name": name, "description": f"Deductions and contributions for {name}",
            "pretax": pretax, "posttax": not pretax, "imputed": False, "healthcare": healthcare,
            "retirement": retirement, "yearly_limit": retirement, "category": category}  # fmt: skip


def _types(raw: str | None) -> set[int] | None:
    if not raw:
        return None
    try:
        return {int(part) for part in raw.split(",") if part.strip()}
    except ValueError as exc:
        raise ApiError(422, "invalid_parameter", f"benefit_type must be ids such as 5,105, got {raw!r}.",
                       "benefit_type") from exc  # fmt: skip


def routes(sim: GustoSimulator) -> list[Route]:
    world = sim.world

    def list_company_benefits(ctx: Ctx) -> Reply:
        ctx.require_company(ctx.path["company_id"], world.company.uuid)
        active = ctx.query.get("active", "").lower()
        wanted = _types(ctx.query.get("benefit_type"))
        with sim.lock:
            rows = [
                company_benefit_json(world, b) for b in world.company_benefits
                if (active not in ("true", "false") or b.active == (active == "true"))
                and (wanted is None or b.benefit_type in wanted)
            ]  # fmt: skip
        return Reply(rows)

    def list_supported(_ctx: Ctx) -> Reply:
        return Reply([supported_json(row) for row in SUPPORTED])

    return [
        Route(
            "/v1/companies/{company_id}/company_benefits",
            endpoint(sim, list_company_benefits, scope="company_benefits:read"),
        ),
        Route("/v1/benefits", endpoint(sim, list_supported, scope="benefits:read")),
    ]
