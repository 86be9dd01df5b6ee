"""`connector preview` and `connector status` on a connected tenant (no run needed)."""

from __future__ import annotations

import csv
import io
import json

from connector_assets.gusto.tokens import COMPANY_PROVIDER
from connector_assets_tests.operations.scenario import Deployment, bonus_payroll


def test_preview_shows_journal_and_proofs_without_posting(deployment: Deployment, connection_id: str) -> None:
    """The preview prints balanced lines and proofs, the CSV carries exact decimals, and nothing is posted."""
    payroll = bonus_payroll(deployment, connection_id)
    table = deployment.cli("preview", "payroll", payroll, "--connection", connection_id)
    assert table.exit_code == 0, table.output
    assert "1,200.00" in table.stdout and "balanced" in table.stdout and "would post" in table.stdout

    rows = list(csv.DictReader(io.StringIO(deployment.cli("preview", "payroll", payroll, "--csv").stdout)))
    debit = sum(int(r["debit"].replace(".", "")) for r in rows if r["debit"])
    credit = sum(int(r["credit"].replace(".", "")) for r in rows if r["credit"])
    assert debit == credit > 120000
    assert not deployment.ctx.postings.for_payroll(connection_id, payroll)
    assert not deployment.env.tenants[connection_id].ion.vouchers()


def test_status_reports_health_without_secrets(deployment: Deployment, connection_id: str) -> None:
    """Status shows master data, held count, token expiry and backlog, and never a token or client secret."""
    preview = deployment.cli(
        "preview", "payroll", bonus_payroll(deployment, connection_id), "--connection", connection_id
    )
    assert preview.exit_code == 0, preview.output  # the preview fetched master data
    text = deployment.cli("status", "--connection", connection_id).stdout
    data = json.loads(deployment.cli("status", "--connection", connection_id, "--json").stdout)
    (status,) = data
    assert status["master_data"]["gl_accounts"] and status["held"] == 0 and status["inbox_backlog"] == 0
    providers = {t["provider"]: t for t in status["tokens"]}
    assert providers[COMPANY_PROVIDER]["has_refresh_token"] and not providers[COMPANY_PROVIDER]["expired"]
    assert "token gusto" in text and "never fetched" not in text

    token = deployment.env.vault().get(connection_id, COMPANY_PROVIDER)
    assert token is not None and token.refresh_token
    secrets = [token.access_token, token.refresh_token, deployment.env.tenants[connection_id].world.client_secret]
    for secret in secrets:
        assert secret not in text and secret not in json.dumps(data)
