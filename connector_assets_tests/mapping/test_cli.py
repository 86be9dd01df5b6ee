"""`connector mapping check`: every problem with its rule, value and fix, against running Gusto and ION sandboxes."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from connector_assets.demo.environment import SandboxEnvironment, Tenant, mapping_document
from connector_assets.operations.mapping_cli import app
from connector_assets.store.crypto import SecretCipher

CONNECTION = "maps"
EXPIRED_ACCOUNT = "6050"


@dataclass
class Sandbox:
    """One connection's simulators and the environment the command runs with."""

    env: SandboxEnvironment
    tenant: Tenant

    def run(self, mapping: dict[str, object], *args: str) -> tuple[int, str]:
        self.tenant.mapping_path.write_text(yaml.safe_dump(mapping, sort_keys=False))
        result = CliRunner().invoke(app, ["check", CONNECTION, *args], env=self.env.env())
        return result.exit_code, result.output


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Sandbox]:
    """An M3 tenant and its Gusto company, connected, with an expired and a blocked account in CloudSuite."""
    root: Path = tmp_path_factory.mktemp("mapping_cli")
    saved = dict(os.environ)  # add_tenant exports the connection's variables
    env = SandboxEnvironment(root, f"sqlite:///{root / 'store.db'}", SecretCipher.generate_key())
    try:
        tenant = env.add_tenant(CONNECTION, erp="m3", employees=4, history_months=0)
        tenant.ion.seed_accounts(
            [{"code": EXPIRED_ACCOUNT, "name": "Old severance", "valid_to": date(2020, 12, 31)}]
        )
        tenant.ion.block_account("6020")
        yield Sandbox(env, tenant)
    finally:
        env.close()
        os.environ.clear()
        os.environ.update(saved)


def test_clean_mapping_exits_zero(sandbox: Sandbox) -> None:
    """The demo firm's own mapping (with bonus moved off the blocked account) has no errors."""
    mapping = mapping_document(sandbox.tenant.world)
    mapping["defaults"]["bonus"]["account"] = "6010"  # type: ignore[index]
    code, output = sandbox.run(mapping)
    assert code == 0, output
    assert "0 error(s)" in output


def test_every_problem_is_printed_with_rule_value_and_fix(sandbox: Sandbox) -> None:
    """Missing, blocked and expired accounts, an unknown cost center and an unmapped department are all named."""
    sandbox.tenant.gusto.add_department("Research", "CC700")
    mapping = mapping_document(sandbox.tenant.world)
    defaults = mapping["defaults"]
    defaults["commission"]["account"] = "6999"  # type: ignore[index]
    defaults["severance"]["account"] = EXPIRED_ACCOUNT  # type: ignore[index]
    mapping["departments"]["Sales"]["cost_center"] = "CC999"  # type: ignore[index]
    mapping["departments"].pop("Research", None)  # type: ignore[attr-defined]
    code, output = sandbox.run(mapping, "--date", "2026-06-30")
    assert code == 1, output
    lines = output.splitlines()

    def problem(value: str) -> str:
        found = [i for i, line in enumerate(lines) if f"= '{value}':" in line]
        assert found, f"no problem printed for {value!r}:\n{output}"
        return lines[found[0]] + "\n" + lines[found[0] + 1]

    assert "ERROR" in problem("6999") and "does not exist in CloudSuite" in problem("6999")
    assert "fix: create account 6999" in problem("6999")
    assert "blocked" in problem("6020") and "fix: unblock account 6020" in problem("6020")
    assert "not valid on 2026-06-30" in problem(EXPIRED_ACCOUNT) and "fix: extend the validity" in problem(
        EXPIRED_ACCOUNT
    )
    assert "cost center does not exist" in problem("CC999") and "fix: create cost center CC999" in problem("CC999")
    assert "departments" in problem("Research") and "WARNING" in problem("Research")
    assert "add departments.Research" in problem("Research")
    assert "4 error(s), 1 warning(s)" in output


def test_unknown_connection_exits_two(sandbox: Sandbox) -> None:
    """A connection id the file does not name is a usage error that names the known ones."""
    result = CliRunner().invoke(app, ["check", "nope"], env=sandbox.env.env())
    assert result.exit_code == 2
    assert "unknown connection 'nope'" in result.output and CONNECTION in result.output


def test_contractors_without_a_rule_are_reported(sandbox: Sandbox) -> None:
    """A Gusto contractor the contractors section does not name is an error (its payments would hold)."""
    world = sandbox.tenant.world
    business = next(c for c in world.contractors if c.type == "Business")
    mapping = mapping_document(world)
    mapping["defaults"]["bonus"]["account"] = "6010"  # type: ignore[index]
    mapping["contractors"]["rules"].pop(business.display_name)  # type: ignore[index]
    mapping["departments"].pop("Research", None)  # type: ignore[attr-defined]  (added to Gusto by another test)
    code, output = sandbox.run(mapping)
    assert code == 1, output
    lines = output.splitlines()
    (at,) = [i for i, line in enumerate(lines) if f"= '{business.display_name}':" in line]
    assert lines[at].startswith("ERROR") and "contractors.rules" in lines[at]
    assert "Gusto contractor has no rule; its payments are held" in lines[at]
    assert f'add contractors.rules."{business.display_name}"' in lines[at + 1]
    assert "1 error(s)" in output  # the only error: the business contractor


def test_benefits_without_a_rule_by_name_or_type_are_listed(sandbox: Sandbox) -> None:
    """With a benefits: section, a Gusto benefit neither its name nor its type names is a warning."""
    mapping = mapping_document(sandbox.tenant.world)
    mapping["defaults"]["bonus"]["account"] = "6010"  # type: ignore[index]
    mapping["departments"].pop("Research", None)  # type: ignore[attr-defined]  (added to Gusto by another test)
    mapping["benefits"] = {"Medical Insurance": {"expense": "6200", "liability": "2300"}}
    code, output = sandbox.run(mapping)
    assert code == 0, output
    (line,) = [ln for ln in output.splitlines() if ln.startswith("WARNING") and "benefits" in ln]
    assert "benefits = '401K (type 5)': Gusto benefit has no rule by name or type" in line, output
    mapping["benefits"]["Retirement plans"] = {"type": 5, "expense": "6210", "liability": "2310"}
    code, output = sandbox.run(mapping)
    assert code == 0 and "Gusto benefit has no rule" not in output, output
