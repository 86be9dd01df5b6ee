"""A day's contractor payments get the operations a payroll has, on PostgreSQL with the strict M3 tenant:
the approval gate and `connector approve`, `connector preview`, release after a mapping fix through the
automation, contractor wording in `held`/`status`/`audit`, and confirmation by the sensor under the day's own
audit entity."""

from __future__ import annotations

import itertools
from datetime import date

import dagster as dg
import yaml
from typer.testing import CliRunner, Result

from connector_assets.cli import app
from connector_assets.cloudsuite.posting import APPROVAL, approval_key
from connector_assets.defs import operations as ops
from connector_assets.defs.cloudsuite.confirm_sensor import confirmation_events
from connector_assets.defs.partitions import contractor_payment_key
from connector_assets.demo.environment import Tenant
from connector_assets.operations.history import reason_text
from connector_assets.store.postings import HELD, POSTED, REVERSED, SUBMITTED
from connector_assets.subjects import contractor_subject
from connector_assets_tests.e2e.confirmation import confirm_submitted, sensor_resources
from connector_assets_tests.e2e.deployment import Deployment
from connector_assets_tests.e2e.ledger_view import documents

PAY_DAY = date(2026, 4, 17)
DAY, SUBJECT = PAY_DAY.isoformat(), contractor_subject(PAY_DAY)
JOB = "contractor_payment_job"
_ids = itertools.count(1)


def _paid_connection(deployment: Deployment, require_approval: bool = False) -> tuple[str, Tenant]:
    """A fresh M3 connection whose firm paid its contractors on PAY_DAY; nothing run for that day yet."""
    cid = f"cops-{next(_ids)}"
    tenant = deployment.add_tenant(cid, "m3", employees=3, history_months=0)
    if require_approval:
        path = deployment.env.connections_path
        document = yaml.safe_load(path.read_text())
        next(c for c in document["connections"] if c["id"] == cid)["posting"]["require_approval"] = True
        path.write_text(yaml.safe_dump(document, sort_keys=False))
        deployment.activate()
    deployment.run_ok("master_data_job", cid)
    tenant.gusto.pay_contractors(check_date=PAY_DAY)
    return cid, tenant


def _cli(deployment: Deployment, *args: str) -> Result:
    deployment.activate()
    return CliRunner().invoke(app, list(args), catch_exceptions=False)


def _rows(deployment: Deployment, cid: str) -> list:
    return deployment.postings.for_payroll(cid, SUBJECT)


def _actions(deployment: Deployment, cid: str, entity: str = "contractor_payments") -> list[str]:
    return [e.action for e in deployment.audit.history(entity, SUBJECT) if e.connection_id == cid]


def _approve(deployment: Deployment, cid: str, by: str) -> Result:
    result = _cli(deployment, "approve", "contractor-payments", DAY, "--by", by, "--connection", cid)
    confirm_submitted(deployment.instance, deployment.env.tenants.values())  # M3 vouchers come in the background
    return result


def test_a_contractor_day_waits_for_approval_then_posts_once(deployment: Deployment) -> None:
    """Held for approval; preview, held, status and audit speak of the day; `approve` posts it exactly once."""
    cid, tenant = _paid_connection(deployment, require_approval=True)
    assert deployment.run(JOB, contractor_payment_key(cid, PAY_DAY)).success
    (waiting,) = _rows(deployment, cid)
    assert waiting.state == HELD and [r["check"] for r in waiting.reasons or []] == [APPROVAL]
    assert documents(tenant) == {}

    held = _cli(deployment, "held", "--connection", cid)
    assert f"{cid}  contractor payments {DAY}  reference {waiting.external_reference}" in held.stdout
    assert f"release: connector approve contractor-payments {DAY} --by NAME --connection {cid}" in held.stdout
    assert "payroll" not in held.stdout

    preview = _cli(deployment, "preview", "contractor-payments", DAY, "--connection", cid)
    assert preview.exit_code == 0, preview.output
    assert preview.stdout.startswith(f"contractor payments {DAY} ({cid})")
    assert "Contractor wages" in preview.stdout and ": balanced" in preview.stdout
    assert "ties out to Gusto's totals" in preview.stdout
    assert "HELD, 1 reason(s):" in preview.stdout
    assert f"awaiting approval: connector approve contractor-payments {DAY} --by NAME" in preview.stdout
    assert documents(tenant) == {} and len(_rows(deployment, cid)) == 1, "a preview posts nothing"

    approved = _approve(deployment, cid, "Pat Controller")
    assert approved.exit_code == 0, approved.output
    (posted,) = _rows(deployment, cid)
    assert posted.state == POSTED and posted.document_id and len(documents(tenant)) == 1
    assert deployment.state.get(cid, approval_key(SUBJECT, posted.content_hash))["by"] == "Pat Controller"
    actions = _actions(deployment, cid)
    assert actions.index("awaiting_approval") < actions.index("approved") < actions.index("submitted")
    assert actions.index("submitted") < actions.index("confirmed")
    assert _actions(deployment, cid, "payroll") == [], "nothing of the day is audited as a payroll"

    again = _cli(deployment, "approve", "contractor-payments", DAY, "--by", "Pat Controller", "--connection", cid)
    assert again.exit_code == 0, again.output
    assert [r.state for r in _rows(deployment, cid)] == [POSTED] and len(documents(tenant)) == 1

    audit = _cli(deployment, "audit", "contractor-payments", DAY, "--connection", cid)
    assert audit.stdout.startswith(f"History of contractor payments {DAY} (connection {cid})")
    assert "awaiting approval" in audit.stdout and "by: Pat Controller" in audit.stdout
    status = _cli(deployment, "status", "--connection", cid)
    assert f"last posted      contractor payments {DAY} as {posted.external_reference}" in status.stdout
    after = _cli(deployment, "preview", "contractor-payments", DAY, "--connection", cid)
    assert f"already posted as {posted.external_reference}" in after.stdout and "awaiting" not in after.stdout


def test_a_content_change_after_approval_needs_a_new_approval(deployment: Deployment) -> None:
    """A payment cancelled after the approval changes the content: the change waits for its own approval."""
    cid, tenant = _paid_connection(deployment, require_approval=True)
    key = contractor_payment_key(cid, PAY_DAY)
    assert deployment.run(JOB, key).success
    assert _approve(deployment, cid, "Pat Controller").exit_code == 0
    (first,) = _rows(deployment, cid)
    assert first.state == POSTED

    business = next(c for c in tenant.world.contractors if c.type == "Business")
    payment = next(p for p in tenant.world.contractor_payments if p.contractor_uuid == business.uuid)
    tenant.gusto.cancel_contractor_payment(payment.uuid)
    assert deployment.run(JOB, key).success
    rows = _rows(deployment, cid)
    assert [(r.kind, r.state) for r in rows] == [("journal", POSTED), ("journal", HELD)]
    assert rows[1].content_hash != first.content_hash and rows[1].reasons[0]["check"] == APPROVAL
    assert len(documents(tenant)) == 1, "the approved journal stands until the change is approved"

    assert _approve(deployment, cid, "Robin Auditor").exit_code == 0
    states = [(r.kind, r.state) for r in _rows(deployment, cid)]
    assert states == [("journal", REVERSED), ("journal", POSTED), ("reversal", POSTED)], states
    assert [e.detail["by"] for e in deployment.audit.history("contractor_payments", SUBJECT)
            if e.connection_id == cid and e.action == "approved"] == ["Pat Controller", "Robin Auditor"]  # fmt: skip


def test_a_held_day_posts_once_its_fixed_journal_is_materialized(deployment: Deployment) -> None:
    """Unmapped contractor → held; mapping fixed, journal materialized alone → the automation posts it once."""
    cid, tenant = _paid_connection(deployment)
    key = contractor_payment_key(cid, PAY_DAY)
    fixed = tenant.mapping_path.read_text()
    business = next(c for c in tenant.world.contractors if c.type == "Business")
    broken = yaml.safe_load(fixed)
    del broken["contractors"]["rules"][business.display_name]
    tenant.mapping_path.write_text(yaml.safe_dump(broken, sort_keys=False))
    assert not deployment.run(JOB, key).success
    assert [r.state for r in _rows(deployment, cid)] == [HELD]

    held = _cli(deployment, "held", "--connection", cid)
    assert f"contractor payments {DAY}" in held.stdout
    assert f"`connector replay contractor-payments {DAY} --connection {cid}`" in held.stdout
    assert f"ledger/contractor_journal → the partition {key} → Materialize" in held.stdout

    # Replay rebuilds the day first: still unmapped, it is refused with the hold's reasons and launches nothing.
    instance = deployment.instance
    replays = dg.RunsFilter(tags={"connector/replay": "true", "dagster/partition": key})
    refused = _cli(deployment, "replay", "contractor-payments", DAY, "--connection", cid)
    assert refused.exit_code == 1
    assert f"contractor payments {DAY} ({cid}) would still be held for" in refused.output
    (still_held,) = _rows(deployment, cid)
    assert still_held.reasons and all(f"  - {reason_text(r)}" in refused.output for r in still_held.reasons)
    assert business.display_name in refused.output
    assert instance.get_runs(replays) == []
    forced = _cli(deployment, "replay", "contractor-payments", DAY, "--connection", cid, "--force")
    assert forced.exit_code == 1, "forced, the run still goes through the checks and holds the day again"
    assert len(instance.get_runs(replays)) == 1 and [r.state for r in _rows(deployment, cid)] == [HELD]

    none_yet, cursor = ops.follow_releases(instance)
    assert [o for o in none_yet if o.partition_key == key] == [], "a held journal is not posted"
    tenant.mapping_path.write_text(fixed)
    deployment.activate()
    rebuilt = ops.materialize(instance, ["ledger", "contractor_journal"], key)
    assert rebuilt.success, rebuilt.error
    assert [r.state for r in _rows(deployment, cid)] == [HELD], "the journal alone posts nothing"
    followed, cursor = ops.follow_releases(instance, cursor)
    (posting_run,) = [o for o in followed if o.partition_key == key]
    assert posting_run.success, posting_run.error
    run = instance.get_run_by_id(posting_run.run_id)
    assert run is not None and run.tags["connector/connection"] == cid
    confirm_submitted(instance, deployment.env.tenants.values())
    assert [o for o in ops.follow_releases(instance, cursor)[0] if o.partition_key == key] == []
    states = [r.state for r in _rows(deployment, cid)]
    assert states.count(POSTED) == 1 and states[-1] == POSTED and len(documents(tenant)) == 1


def test_the_sensor_confirms_a_submitted_day_under_its_own_entity(deployment: Deployment) -> None:
    """M3 still creating the voucher when the run ends: the sensor's step records it on the day's partition."""
    cid, tenant = _paid_connection(deployment)
    tenant.ion.config.voucher_delay_s = 3600  # the voucher appears long after the run stopped looking
    deployment.activate()
    outcome = ops.run_job(deployment.instance, JOB, contractor_payment_key(cid, PAY_DAY))
    assert outcome.success, outcome.error
    (submitted,) = _rows(deployment, cid)
    assert submitted.state == SUBMITTED

    tenant.ion.advance_clock(3600)
    events = confirmation_events(deployment.instance, *sensor_resources())
    (event,) = [e for e in events if e.partition == contractor_payment_key(cid, PAY_DAY)]
    assert isinstance(event, dg.AssetMaterialization)
    assert event.asset_key == dg.AssetKey(["cloudsuite", "contractor_postings"])
    (row,) = _rows(deployment, cid)
    assert row.state == POSTED and row.document_id and event.metadata["document_id"].value == row.document_id  # type: ignore[attr-defined]
    confirmed = [e for e in deployment.audit.history("contractor_payments", SUBJECT)
                 if e.connection_id == cid and e.action == "confirmed"]  # fmt: skip
    assert [(e.run_id, e.detail["document_id"]) for e in confirmed] == [(None, row.document_id)]
    assert _actions(deployment, cid, "payroll") == []


def test_a_day_without_payments_is_named_as_contractor_payments(deployment: Deployment) -> None:
    """Nothing paid that day: each command says so of the day, in one line, and nothing is approved."""
    cid, day = f"cops-{next(_ids)}", "2026-01-02"
    deployment.add_tenant(cid, "m3", employees=3, history_months=0)
    audit = _cli(deployment, "audit", "contractor-payments", day, "--connection", cid)
    assert audit.exit_code == 1 and f"no audit entry mentions contractor payments {day}" in audit.output
    approve = _cli(deployment, "approve", "contractor-payments", day, "--by", "Pat", "--connection", cid)
    assert approve.exit_code == 1
    assert f"contractor payments {day} has nothing to approve: Gusto shows no funded" in approve.output
    preview = _cli(deployment, "preview", "contractor-payments", day, "--connection", cid)
    assert preview.exit_code == 0 and "nothing to post: Gusto shows no funded" in preview.stdout
    assert deployment.postings.for_payroll(cid, contractor_subject(day)) == []
