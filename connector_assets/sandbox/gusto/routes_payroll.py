"""Payrolls (list with Gusto's default filters, single payroll), pay periods, and the GL report (§6)."""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from connector_assets.sandbox.generator import pay_periods
from connector_assets.sandbox.generator_payroll import payroll_pay
from connector_assets.sandbox.gusto.http import ApiError, Ctx, Reply, endpoint, not_found, paginate
from connector_assets.sandbox.gusto.serialize_payroll import (
    employee_compensation_json,
    gl_report_json,
    payroll_in_window,
    payroll_json,
)

if TYPE_CHECKING:
    from connector_assets.sandbox.gusto.simulator import GustoSimulator

PAYROLL_MAX_PER = 100
_PROCESSING = {"processed", "unprocessed"}
_TYPES = {"regular", "off_cycle", "external"}


@dataclass
class ReportRequest:
    request_uuid: str
    payroll_uuid: str
    aggregation: str
    download_key: str
    polls: int = 0
    # Header names of every download attempt, so a test can see what reached the download host.
    download_headers: list[list[str]] = field(default_factory=list)


def _date(ctx: Ctx, name: str, default: date) -> date:
    raw = ctx.query.get(name)
    if raw is None:
        return default
    try:
        return date.fromisoformat(raw)
    except ValueError as exc:
        raise ApiError(
            422, "invalid_parameter", f"{name} must be a date as YYYY-MM-DD, got {raw!r}.", name
        ) from exc


def _add_months(day: date, months: int) -> date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return day.replace(year=year, month=month, day=min(day.day, 28))


def routes(sim: GustoSimulator) -> list[Route]:
    world = sim.world

    def list_payrolls(ctx: Ctx) -> Reply:
        ctx.require_company(ctx.path["company_id"], world.company.uuid)
        today = sim.clock.today()
        statuses = set(ctx.csv("processing_statuses", "processed"))
        types = set(ctx.csv("payroll_types", "regular"))
        if ctx.query.get("include_off_cycle", "").lower() == "true":
            types.add("off_cycle")
        if "processed" in ctx.query:
            statuses = {"processed" if ctx.query["processed"].lower() == "true" else "unprocessed"}
        start = _date(ctx, "start_date", _add_months(today, -6))
        end = _date(ctx, "end_date", today)
        by_check = ctx.query.get("date_filter_by") == "check_date"
        if "date_filter_by" in ctx.query and (not by_check or statuses != {"processed"}):
            raise ApiError(
                422,
                "invalid_parameter",
                "date_filter_by=check_date is only valid with processing_statuses=processed.",
                "date_filter_by",
            )
        if end > _add_months(today, 3):
            raise ApiError(422, "invalid_parameter", "end_date can be at most 3 months in the future.", "end_date")
        if end > _add_months(start, 12) or end < start:
            raise ApiError(
                422,
                "invalid_parameter",
                "start_date and end_date can't be more than 1 year apart; "
                "query the range in slices of at most 12 months.",
                "start_date",
            )
        if not statuses <= _PROCESSING or not types <= _TYPES:
            return Reply([], headers=paginate([], ctx.query, forced=True, max_per=PAYROLL_MAX_PER)[1])
        with sim.lock:
            rows = [
                p
                for p in world.payrolls
                if ("processed" if p.processed else "unprocessed") in statuses
                and p.payroll_type in types
                and payroll_in_window(p, start, end, by_check, sim.options.offcycle_hidden_by_pay_period_filter)
            ]
            rows.sort(key=lambda p: (p.check_date, p.seq), reverse=ctx.query.get("sort_order") == "desc")
            page, headers = paginate(rows, ctx.query, forced=True, max_per=PAYROLL_MAX_PER)
            include = ctx.include()
            return Reply([payroll_json(world, p, include, show=False) for p in page], headers=headers)

    def get_payroll(ctx: Ctx) -> Reply:
        ctx.require_company(ctx.path["company_id"], world.company.uuid)
        include = ctx.include()
        with sim.lock:
            payroll = world.payroll(ctx.path["payroll_id"])
            if payroll is None:
                raise not_found(f"payroll {ctx.path['payroll_id']}")
            body = payroll_json(world, payroll, include, show=True)
            rows = payroll_pay(world, payroll)
            if ctx.query.get("sort_by", "").startswith(("first_name", "last_name")):
                key, _, direction = ctx.query["sort_by"].partition(":")
                rows = sorted(rows, key=lambda r: getattr(r, key), reverse=direction == "desc")
            if payroll.processed:  # processed payrolls list only employees who were paid something
                rows = [r for r in rows if r.gross_cents or r.check_cents]
            forced = sim.options.payroll_show_forced_pagination
            page, headers = paginate(rows, ctx.query, forced=forced, max_per=PAYROLL_MAX_PER)
            money_as = sim.options.payroll_money
            body["employee_compensations"] = [
                employee_compensation_json(payroll, r, include, money_as) for r in page
            ]
            return Reply(body, headers=headers)

    def list_pay_periods(ctx: Ctx) -> Reply:
        ctx.require_company(ctx.path["company_id"], world.company.uuid)
        today = sim.clock.today()
        start = _date(ctx, "start_date", _add_months(today, -6))
        end = _date(ctx, "end_date", today + timedelta(days=31))
        with sim.lock:
            by_period = {(p.pay_schedule_uuid, p.start_date): p for p in world.payrolls if not p.off_cycle}
            out = []
            for schedule in world.pay_schedules:
                for p_start, p_end, check in pay_periods(schedule, start, end):
                    payroll = by_period.get((schedule.uuid, p_start))
                    item: dict[str, Any] = {
                        "start_date": p_start.isoformat(),
                        "end_date": p_end.isoformat(),
                        "pay_schedule_uuid": schedule.uuid,
                    }
                    if payroll is not None:
                        item["payroll"] = {
                            "payroll_uuid": payroll.uuid,
                            "check_date": check.isoformat(),
                            "processed": payroll.processed,
                            "payroll_type": "regular",
                            "payroll_deadline": payroll.payroll_deadline.strftime("%Y-%m-%dT%H:%M:%SZ"),
                        }
                    out.append(item)
            return Reply(out)

    def create_gl_report(ctx: Ctx) -> Reply:
        body = ctx.body if isinstance(ctx.body, dict) else {}
        aggregation = body.get("aggregation", "default")
        integration = body.get("integration_type")
        if aggregation not in ("default", "job", "department", "integration"):
            raise ApiError(
                422,
                "invalid_attribute_value",
                f"aggregation {aggregation!r} is not one of default, job, department, integration.",
                "aggregation",
            )
        if (aggregation == "integration") != (integration is not None):
            raise ApiError(
                422,
                "invalid_attribute_value",
                "integration_type is required exactly when aggregation is 'integration'.",
                "integration_type",
            )
        with sim.lock:
            payroll = world.payroll(ctx.path["payroll_uuid"])
            if payroll is None:
                raise not_found(f"payroll {ctx.path['payroll_uuid']}")
            if not payroll.processed:
                raise ApiError(
                    422,
                    "invalid_operation",
                    f"Payroll {payroll.uuid} is not processed yet; a general "
                    "ledger report needs a processed payroll.",
                    "base",
                )
            req = ReportRequest(str(uuid.uuid4()), payroll.uuid, aggregation, secrets.token_urlsafe(16))
            sim.reports[req.request_uuid] = req
        return Reply(
            {
                "payroll_uuid": payroll.uuid,
                "aggregation": aggregation,
                "integration_type": integration,
                "request_uuid": req.request_uuid,
            }
        )

    def get_report(ctx: Ctx) -> Reply:
        with sim.lock:
            req = sim.reports.get(ctx.path["request_uuid"])
            if req is None:
                raise not_found(f"report {ctx.path['request_uuid']}")
            req.polls += 1
            if req.polls <= sim.options.report_pending_polls:
                return Reply({"request_uuid": req.request_uuid, "status": "pending", "report_urls": []})
            if req.payroll_uuid in sim.options.report_failed_payrolls:
                return Reply({"request_uuid": req.request_uuid, "status": "failed", "report_urls": []})
        base = str(ctx.request.base_url).rstrip("/")
        url = f"{base}/report_downloads/{req.request_uuid}?key={req.download_key}"
        return Reply({"request_uuid": req.request_uuid, "status": "succeeded", "report_urls": [url]})

    async def download_report(request: Request) -> Response:
        # Presigned download: no bearer token, the key in the URL is the credential.
        req = sim.reports.get(request.path_params["request_uuid"])
        if req is None or not secrets.compare_digest(request.query_params.get("key", ""), req.download_key):
            return JSONResponse({"error": "AccessDenied"}, status_code=403)
        with sim.lock:
            req.download_headers.append(sorted(request.headers.keys()))
        if "authorization" in request.headers:
            # A presigned URL is its own credential; object stores refuse a second one (400, as S3 does).
            message = "Only one auth mechanism allowed; the presigned URL already carries one."
            return JSONResponse({"error": "InvalidArgument", "message": message}, status_code=400)
        with sim.lock:
            payroll = world.payroll(req.payroll_uuid)
            assert payroll is not None
            report = gl_report_json(world, payroll, req.aggregation, sim.options.report_extra_rows)
        return JSONResponse(report)

    return [
        Route("/v1/companies/{company_id}/payrolls", endpoint(sim, list_payrolls, scope="payrolls:read")),
        Route(
            "/v1/companies/{company_id}/payrolls/{payroll_id}", endpoint(sim, get_payroll, scope="payrolls:read")
        ),
        Route("/v1/companies/{company_id}/pay_periods", endpoint(sim, list_pay_periods, scope="payrolls:read")),
        Route(
            "/v1/payrolls/{payroll_uuid}/reports/general_ledger",
            endpoint(sim, create_gl_report, scope="company_reports:write"),
            methods=["POST"],
        ),
        Route("/v1/reports/{request_uuid}", endpoint(sim, get_report, scope="company_reports:read")),
        Route("/report_downloads/{request_uuid}", download_report),
    ]
