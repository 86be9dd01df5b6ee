"""Who may import whom, read from the source (every import, also those inside functions).

The domain rooms stay pure, the services never reach into Dagster, the commands launch runs through
`defs.operations` but do their domain work through the services, and the sandbox never sees the clients.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "connector_assets"

DOMAIN_ROOMS = ("ledger", "mapping", "workforce")
CLIENTS_AND_STORE = ("connector_assets.gusto", "connector_assets.cloudsuite", "connector_assets.store")
LAYERS_ABOVE = ("connector_assets.defs", "connector_assets.services", "connector_assets.operations",
                "connector_assets.demo", "connector_assets.receiver", "connector_assets.sandbox")  # fmt: skip
DAGSTER = ("dagster", "connector_assets.defs", "connector_assets.definitions")
# What a command may take from the Dagster layer: the instance, launching a run, naming its partition.
RUN_LAUNCHING = ("connector_assets.defs.operations", "connector_assets.defs.partitions", "dagster")


def imported_modules(path: Path) -> set[str]:
    """Every name `path` imports, absolute (``from x import y`` counts as ``x.y``, which lies under ``x``)."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def within(name: str, prefixes: tuple[str, ...]) -> bool:
    return any(name == p or name.startswith(p + ".") for p in prefixes)


def modules_of(*rooms: str) -> list[Path]:
    return sorted(p for room in rooms for p in (PACKAGE / room).rglob("*.py"))


def offending(paths: list[Path], forbidden: tuple[str, ...], allowed: tuple[str, ...] = ()) -> list[str]:
    return [
        f"{path.relative_to(PACKAGE.parent) if path.is_relative_to(PACKAGE) else path} imports {name}"
        for path in paths
        for name in sorted(imported_modules(path))
        if within(name, forbidden) and not within(name, allowed)
    ]


def test_the_walk_sees_imports_inside_functions(tmp_path: Path) -> None:
    """The checker itself: a lazy import and a from-import are both found."""
    source = tmp_path / "probe.py"
    source.write_text("def f():\n    import dagster as dg\n    from connector_assets.store import postings\n")
    assert {"dagster", "connector_assets.store.postings"} <= imported_modules(source)
    assert offending([source], ("dagster",)) == [f"{source} imports dagster"]


@pytest.mark.parametrize("room", DOMAIN_ROOMS)
def test_domain_rooms_import_no_client_store_or_dagster(room: str) -> None:
    forbidden = (*CLIENTS_AND_STORE, *LAYERS_ABOVE, "dagster", "httpx", "sqlalchemy")
    assert offending(modules_of(room), forbidden) == []


def test_services_never_import_the_dagster_layer() -> None:
    paths = modules_of("services")
    assert any(p.name == "prepare.py" for p in paths), "journal preparation lives in services/"
    assert offending(paths, (*DAGSTER, "connector_assets.operations", "connector_assets.demo")) == []


def test_journal_preparation_is_not_in_the_dagster_layer() -> None:
    """The asset, `connector preview`/`replay` and the demo's runs share one preparation service."""
    assert not (PACKAGE / "defs" / "ledger" / "prepare.py").exists()
    assert not (PACKAGE / "defs" / "master_data.py").exists()
    ledger_assets = imported_modules(PACKAGE / "defs" / "ledger" / "assets.py")
    cli_prepare = imported_modules(PACKAGE / "operations" / "prepare.py")
    assert "connector_assets.services.prepare.prepare_payroll_journal" in ledger_assets & cli_prepare


def test_commands_use_the_dagster_layer_only_to_launch_runs() -> None:
    """`operations/`, `demo/` and every `cli.py` reach Dagster only through `defs.operations`/`defs.partitions`."""
    clis = sorted(PACKAGE.rglob("cli.py"))
    paths = [*modules_of("operations", "demo"), *clis]
    assert offending(paths, DAGSTER, RUN_LAUNCHING) == []


def test_sandbox_never_imports_the_clients() -> None:
    """The simulators are an independent witness of the clients they serve."""
    forbidden = (*CLIENTS_AND_STORE, *LAYERS_ABOVE[:-1], "connector_assets.ledger", "connector_assets.mapping",
                 "connector_assets.workforce", "connector_assets.settings", "connector_assets.clock")  # fmt: skip
    assert offending(modules_of("sandbox"), forbidden) == []
