"""No secret leaks: after a small end-to-end flow (including a failed run), no secret appears in captured logs,
Dagster events and run metadata, exception texts, the audit log, any store column, or files under
DAGSTER_HOME; tokens at rest are encrypted; and rotating the encryption key keeps the flow working.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from connector_assets.cli import app
from connector_assets.store.crypto import EncryptionKeyError, SecretCipher
from connector_assets.store.subscriptions import Subscriptions
from connector_assets.store.tables import oauth_tokens
from connector_assets_tests.e2e.chaos_env import (
    add_tenants,
    deployment,
    failure_chain,
    process_payrolls,
    reload_definitions,
    run_once,
    sync_connections,
)
from connector_assets_tests.e2e.chaos_secrets import dagster_texts, file_texts, hits, secrets_used, store_texts

WEBHOOK_TOKEN = "whverify-" + "9f2c41d07a6b4e3c8d15"


def test_no_secret_reaches_logs_events_store_or_files(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, capfd: pytest.CaptureFixture[str]
) -> None:
    """Zero hits for every secret in every place the connector writes, after a flow with a failure in it."""
    caplog.set_level(logging.DEBUG)
    with deployment(tmp_path) as dep:
        add_tenants(dep, {"alpha": ("m3", 3)}, employees=3)
        tenant = dep.env.tenants["alpha"]
        Subscriptions(dep.engine(), SecretCipher([dep.env.encryption_key])).save(
            subscription_uuid="sub-1", connection_id="alpha", status="verified", verification_token=WEBHOOK_TOKEN
        )
        tenant.gusto.revoke_tokens(tenant.world.company.uuid)
        failed = run_once(dep, "workforce_job", "alpha")
        assert not failed.success and failure_chain(dep.instance, failed.run_id), "the flow must include an error"
        dep.env.connect_gusto("alpha")
        tenant.ion.expire_tokens()
        sync_connections(dep)
        process_payrolls(dep)
        assert tenant.ion.vouchers(), "the flow posted nothing; the scan would prove little"
        secrets = secrets_used(dep, [WEBHOOK_TOKEN])
        assert len(secrets) >= 10
        out, err = capfd.readouterr()
        exceptions = [
            (f"exception of {o.run_id}", m)
            for o in dep.outcomes
            for _c, m in failure_chain(dep.instance, o.run_id)
        ]
        places = [
            ("captured logs", caplog.text), ("stdout", out), ("stderr", err), *exceptions,
            *dagster_texts(dep), *store_texts(dep), *file_texts(dep.home), *file_texts(tmp_path / "connector.db"),
        ]  # fmt: skip
        assert len(places) > 100
        assert hits(secrets, iter(places)) == []


def test_tokens_are_encrypted_and_key_rotation_keeps_the_flow_working(tmp_path: Path) -> None:
    """Stored tokens are ciphertext; NEW,OLD + `connector store reencrypt` + NEW alone still runs the flow."""
    with deployment(tmp_path) as dep:
        add_tenants(dep, {"alpha": ("m3", 3)}, employees=3)
        sync_connections(dep)
        old = dep.env.encryption_key
        with dep.engine().connect() as conn:
            rows = conn.execute(sa.select(oauth_tokens)).mappings().all()
        assert {r["provider"] for r in rows} >= {"gusto"}
        issued = set(dep.env.tenants["alpha"].gusto.oauth.access)
        for row in rows:
            assert SecretCipher([old]).decrypt(row["access_token"])
            assert not any(token.encode() in bytes(row["access_token"]) for token in issued)
        new = SecretCipher.generate_key()
        os.environ["CONNECTOR_ENCRYPTION_KEY"] = f"{new},{old}"
        result = CliRunner().invoke(app, ["store", "reencrypt"])
        assert result.exit_code == 0 and "re-encrypted" in result.output, result.output
        os.environ["CONNECTOR_ENCRYPTION_KEY"] = new
        reload_definitions()
        with dep.engine().connect() as conn:
            for row in conn.execute(sa.select(oauth_tokens)).mappings():
                assert SecretCipher([new]).decrypt(row["access_token"])
                with pytest.raises(EncryptionKeyError):
                    SecretCipher([old]).decrypt(row["access_token"])
        dep.env.tenants["alpha"].gusto.expire_tokens()
        dep.env.tenants["alpha"].ion.expire_tokens()
        outcome = run_once(dep, "workforce_job", "alpha")
        assert outcome.success, outcome.error
        assert all(o.success for o in process_payrolls(dep))
        assert dep.env.tenants["alpha"].ion.vouchers()
