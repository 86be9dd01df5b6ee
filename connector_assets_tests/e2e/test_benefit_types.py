"""A benefit the mapping names only by its Gusto benefit type, end to end on PostgreSQL: the company offers
"Kaiser Gold" (Gusto benefit type 1, Medical Insurance), no rule names it, a `type: 1` rule places it; the
generated "Medical Insurance" keeps its name rule and "401K" (type 5, no rule) stays on the defaults."""

from __future__ import annotations

import yaml

from connector_assets.demo.environment import mapping_document
from connector_assets.store.postings import POSTED
from connector_assets_tests.e2e.deployment import Deployment
from connector_assets_tests.e2e.ledger_view import asset_value, document, net

CONNECTION = "benefit-types"


def test_a_benefit_typed_but_not_named_posts_by_its_type_rule(deployment: Deployment) -> None:
    tenant = deployment.add_tenant(CONNECTION, "syteline", history_months=0)
    world = tenant.world
    failed = [o for o in deployment.onboard(CONNECTION) if not o.success]
    assert not failed, [(o.partition_key, o.error) for o in failed]
    schedule = world.pay_schedules[0]
    employee = next(e for e in world.employees if e.pay_schedule_uuid == schedule.uuid and not e.terminations)
    tenant.gusto.offer_benefit("Kaiser Gold", 1, enroll={employee.uuid: ("120.00", "300.00")})
    mapping = mapping_document(world)
    mapping["benefits"] = {
        "Medical Insurance": {"expense": "6200", "liability": "2300"},
        "Medical plans": {"type": 1, "expense": "6220", "liability": "2320"},
    }
    tenant.mapping_path.write_text(yaml.safe_dump(mapping, sort_keys=False))
    payroll = tenant.gusto.run_payroll(pay_schedule=schedule.uuid, employee_uuids=[employee.uuid])

    outcomes = [o for o in deployment.sync(CONNECTION) if o.job_name == "payroll_job"]
    assert [o.success for o in outcomes] == [True], [(o.partition_key, o.error) for o in outcomes]
    (row,) = [p for p in deployment.postings.for_payroll(CONNECTION, payroll.uuid) if p.kind == "journal"]
    assert row.state == POSTED, row.reasons
    by_account = net(document(tenant, row.external_reference) or [])
    assert sum(v for (account, _), v in by_account.items() if account == "6220") == 300_00
    assert by_account[("2320", "")] == -(120_00 + 300_00), "employee deduction and company contribution"
    lines = asset_value(["ledger", "journal_lines"], deployment.key(CONNECTION, payroll.uuid), deployment.instance)
    rules = {r["account"]: r["rule"] for r in lines.journal.lines.iter_rows(named=True)}
    assert "benefits.Medical plans(type 1)" in str(rules["6220"]) and "benefits.Medical plans(type 1)" in str(
        rules["2320"]
    )
