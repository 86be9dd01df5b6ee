"""Approval: with `posting.require_approval`, a journal waits until `connector approve` records who approved."""

from __future__ import annotations

import itertools
import re

import dagster as dg
import pytest

from connector_assets.operations.errors import ReplayRefused
from connector_assets.operations.runs import approval_key, approve_payroll
from connector_assets.store.postings import HELD, POSTED
from connector_assets_tests.operations.scenario import Deployment, bonus_payroll

_ids = itertools.count(1)


@pytest.fixture
def approval_connection(deployment: Deployment) -> str:
    """A connection whose postings need an approval."""
    cid = f"approve-{next(_ids)}"
    deployment.add_tenant(cid, require_approval=True)
    return cid


def test_posting_waits_for_approval_then_posts_once(deployment: Deployment, approval_connection: str) -> None:
    """The run holds the journal for approval; `connector approve` records the approver and posts exactly once."""
    cid = approval_connection
    payroll = bonus_payroll(deployment, cid)
    deployment.run_payroll(cid, payroll)
    ctx = deployment.ctx
    (waiting,) = ctx.postings.for_payroll(cid, payroll)
    assert waiting.state == HELD
    assert not deployment.env.tenants[cid].ion.vouchers()

    held = deployment.cli("held", "--connection", cid)
    assert f"connector approve payroll {payroll} --by NAME" in held.stdout

    result = deployment.cli("approve", "payroll", payroll, "--by", "Pat Controller")
    assert result.exit_code == 0, result.output
    (posting,) = ctx.postings.for_payroll(cid, payroll)
    assert posting.state == POSTED and posting.document_id
    assert len(deployment.env.tenants[cid].ion.vouchers()) == 1
    approval = ctx.state.get(cid, approval_key(payroll, posting.content_hash))
    assert approval["by"] == "Pat Controller"

    # M3 takes the journal asynchronously: the run records it submitted, then confirmed once the voucher shows.
    actions = [e.action for e in ctx.audit.history("payroll", payroll)]
    assert actions.index("awaiting_approval") < actions.index("approved") < actions.index("submitted")
    assert actions.index("submitted") < actions.index("confirmed") and "posted" not in actions
    approved = next(e for e in ctx.audit.history("payroll", payroll) if e.action == "approved")
    assert approved.detail["by"] == "Pat Controller"
    assert "approved" in deployment.cli("audit", "payroll", payroll).stdout


def test_the_payroll_preview_names_a_pending_approval(deployment: Deployment, approval_connection: str) -> None:
    """The preview lists the approval a run would wait for; an approval of this content, or the posting it
    led to, takes it off the list."""
    cid = approval_connection
    payroll = bonus_payroll(deployment, cid)
    before = deployment.cli("preview", "payroll", payroll, "--connection", cid)
    assert before.exit_code == 0, before.output
    assert "HELD, 1 reason(s):" in before.stdout
    assert f"  - awaiting approval: connector approve payroll {payroll} --by NAME" in before.stdout

    # An approval recorded for exactly this content (its run not launched yet) is enough: it would post.
    match = re.search(r"content (\S+)", before.stdout)
    assert match is not None
    deployment.ctx.state.put(cid, approval_key(payroll, match.group(1)), {"by": "Pat Controller"})
    approved = deployment.cli("preview", "payroll", payroll, "--connection", cid)
    assert "would post" in approved.stdout and "awaiting approval" not in approved.stdout

    approve = deployment.cli("approve", "payroll", payroll, "--by", "Pat Controller", "--connection", cid)
    assert approve.exit_code == 0, approve.output
    after = deployment.cli("preview", "payroll", payroll, "--connection", cid)
    (posted,) = deployment.ctx.postings.for_payroll(cid, payroll)
    assert f"already posted as {posted.external_reference}" in after.stdout and "would post" not in after.stdout
    assert "awaiting approval" not in after.stdout


def test_approval_refused_while_checks_fail(deployment: Deployment, approval_connection: str) -> None:
    """A journal that fails its checks cannot be approved; nothing is recorded or posted."""
    cid = approval_connection
    payroll = deployment.held_payroll(cid)
    with pytest.raises(ReplayRefused, match="fails its checks"):
        approve_payroll(deployment.ctx, cid, payroll, "Pat Controller")
    assert "approved" not in [e.action for e in deployment.ctx.audit.history("payroll", payroll)]
    assert [p.state for p in deployment.ctx.postings.for_payroll(cid, payroll)] == [HELD]


def test_the_postings_event_list_tells_the_approval_story(
    deployment: Deployment, approval_connection: str
) -> None:
    """Held for approval, approved, posted: each leaves an event with metadata on `cloudsuite/journal_postings`."""
    cid = approval_connection
    payroll = bonus_payroll(deployment, cid)
    deployment.run_payroll(cid, payroll)
    assert deployment.cli("approve", "payroll", payroll, "--by", "Robin Auditor").exit_code == 0
    key, asset = deployment.key(cid, payroll), dg.AssetKey(["cloudsuite", "journal_postings"])
    with deployment.instance() as instance:
        records = instance.fetch_materializations(
            dg.AssetRecordsFilter(asset_key=asset, asset_partitions=[key]), limit=10
        ).records
        observed = instance.fetch_observations(
            dg.AssetRecordsFilter(asset_key=asset, asset_partitions=[key]), limit=10
        ).records

    def meta(record: dg.EventLogRecord) -> dict[str, object]:
        event = record.asset_materialization or record.asset_observation
        assert event is not None
        return {k: getattr(v, "value", v) for k, v in event.metadata.items()}

    states = sorted(str(meta(r)["state"]) for r in records)
    assert states == ["held", "posted"], states
    posted = next(meta(r) for r in records if meta(r)["state"] == "posted")
    assert str(posted["approved_by"]).startswith("Robin Auditor") and str(posted["debits"]).endswith(" USD")
    assert posted["erp_key"] and posted["reference"]
    (approval,) = [meta(r) for r in observed if meta(r)["state"] == "approved"]
    assert approval["by"] == "Robin Auditor"


def test_a_held_attempt_leaves_an_observation_on_the_postings_asset(
    deployment: Deployment, approval_connection: str
) -> None:
    """A journal held by its checks never reaches the postings asset, yet its event list shows the hold."""
    cid = approval_connection
    payroll = deployment.held_payroll(cid)
    asset = dg.AssetKey(["cloudsuite", "journal_postings"])
    with deployment.instance() as instance:
        records = instance.fetch_observations(
            dg.AssetRecordsFilter(asset_key=asset, asset_partitions=[deployment.key(cid, payroll)]), limit=10
        ).records
    (held,) = [r.asset_observation for r in records if r.asset_observation]
    metadata = {k: getattr(v, "value", v) for k, v in held.metadata.items()}
    assert metadata["state"] == "held" and "does not exist in CloudSuite" in str(metadata["reasons"])
    assert metadata["release"] == f"connector replay payroll {payroll}"
