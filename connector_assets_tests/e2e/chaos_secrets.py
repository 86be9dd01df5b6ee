"""Every secret a deployment used, and every place the connector writes text, for the secrets scan."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import sqlalchemy as sa
from dagster._serdes import serialize_value

from connector_assets.store.tables import metadata
from connector_assets_tests.e2e.chaos_env import Deployment

# Credential files the operator writes on purpose (the .ionapi file, the Gusto app file): not outputs.
CREDENTIAL_FILES = {".ionapi", ".json", ".yaml", ".key"}


def secrets_used(dep: Deployment, extra: list[str]) -> dict[str, str]:
    """Name → value of every secret: app secrets, ION key pairs, all tokens both simulators issued, the key."""
    found: dict[str, str] = {"encryption key": dep.env.encryption_key}
    for cid, tenant in dep.env.tenants.items():
        found[f"{cid} gusto client secret"] = tenant.world.client_secret
        found[f"{cid} ion cs"] = tenant.ion.credentials.client_secret
        found[f"{cid} ion sask"] = tenant.ion.credentials.secret_key
        oauth = tenant.gusto.oauth
        found |= {f"{cid} gusto token {i}": t for i, t in enumerate([*oauth.access, *oauth.refresh])}
        issued = tenant.ion.tokens
        found |= {f"{cid} ion token {i}": t for i, t in enumerate([*issued._access, *issued._by_refresh])}
    found |= {f"extra secret {i}": s for i, s in enumerate(extra)}
    return found


def dagster_texts(dep: Deployment) -> Iterator[tuple[str, str]]:
    """Every run (tags, config) and every event of it (logs, metadata, errors), serialized."""
    for run in dep.instance.get_runs():
        yield f"run {run.run_id}", serialize_value(run)
        for record in dep.instance.all_logs(run.run_id):
            yield f"event of run {run.run_id}", serialize_value(record)


def store_texts(dep: Deployment) -> Iterator[tuple[str, str]]:
    """Every column of every row of every table of the store (encrypted columns included, as bytes)."""
    with dep.engine().connect() as conn:
        for table in metadata.sorted_tables:
            for row in conn.execute(sa.select(table)).mappings():
                for column, value in row.items():
                    text = bytes(value).decode("latin-1") if isinstance(value, bytes | memoryview) else str(value)
                    yield f"{table.name}.{column}", text


def file_texts(root: Path) -> Iterator[tuple[str, str]]:
    """`root` itself or every file under it (compute logs, pickled asset values, the SQLite store), raw bytes as text."""
    for path in [root] if root.is_file() else root.rglob("*"):
        if path.is_file() and path.suffix not in CREDENTIAL_FILES:
            yield str(path), path.read_bytes().decode("latin-1")


def hits(secrets: dict[str, str], texts: Iterator[tuple[str, str]]) -> list[str]:
    """Where each secret occurs (`secret name in place`); empty means clean."""
    found = []
    for place, text in texts:
        found += [f"{name} in {place}" for name, value in secrets.items() if value and value in text]
    return found
