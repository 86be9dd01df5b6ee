"""A wrong encryption key: every command names the row no configured key decrypts, in one line, non-zero exit."""

from __future__ import annotations

import sys

import pytest

from connector_assets.cli import main
from connector_assets.gusto.tokens import COMPANY_PROVIDER
from connector_assets.store.crypto import ENV_KEY, SecretCipher
from connector_assets_tests.operations.scenario import Deployment


def _wrong_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ENV_KEY, SecretCipher.generate_key())


def test_status_says_undecryptable_instead_of_valid(
    deployment: Deployment, connection_id: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Status marks the grant undecryptable, names it on stderr in one line, and exits 1."""
    _wrong_key(monkeypatch)
    result = deployment.cli("status", "--connection", connection_id)
    assert result.exit_code == 1
    assert f"token {COMPANY_PROVIDER}" in result.stdout and "UNDECRYPTABLE" in result.stdout
    assert " valid until" not in result.stdout
    named = [ln for ln in result.stderr.splitlines() if connection_id in ln]
    assert named and all("undecryptable" in ln for ln in named)
    assert "Traceback" not in result.output and "InvalidToken" not in result.output


def test_reencrypt_names_the_row_and_rewrites_nothing(
    deployment: Deployment, connection_id: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`store reencrypt` under a key that cannot read a row stops before writing, naming that row."""
    before = deployment.env.vault().get(connection_id, COMPANY_PROVIDER)
    _wrong_key(monkeypatch)
    monkeypatch.setenv("CONNECTOR_DATABASE_URL", deployment.env.database_url)
    result = deployment.cli("store", "reencrypt")
    assert result.exit_code == 1
    assert f"the {COMPANY_PROVIDER} token of connection {connection_id}" in result.stderr
    assert "Traceback" not in result.output and "InvalidToken" not in result.output
    monkeypatch.undo()
    assert deployment.env.vault().get(connection_id, COMPANY_PROVIDER) == before, "nothing may be rewritten"


def test_any_command_meeting_an_undecryptable_token_prints_one_line(
    deployment: Deployment, connection_id: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """`connector gusto whoami` (any command reading a grant) ends with exit 2 and one line naming the row."""
    _wrong_key(monkeypatch)
    monkeypatch.setattr(sys, "argv", ["connector", "gusto", "whoami", connection_id])
    with pytest.raises(SystemExit) as info:
        main()
    assert info.value.code == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and connection_id in err[0] and "undecryptable" in err[0]
