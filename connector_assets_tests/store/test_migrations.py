"""Migrations: run processes starting together on a fresh store all end with the current schema."""

from __future__ import annotations

from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import sqlalchemy as sa

from connector_assets.store import create_store_engine, upgrade
from connector_assets.store.migrate import current_tables


def _upgrade(url: str) -> str:
    engine = upgrade(create_store_engine(url))
    with engine.connect() as conn:
        return str(conn.execute(sa.text("select version_num from alembic_version")).scalar_one())


def _race(url: str) -> set[str]:
    with ProcessPoolExecutor(4) as pool:
        return set(pool.map(_upgrade, [url] * 4))


def test_concurrent_upgrades_on_sqlite(tmp_path: Path) -> None:
    """Four processes migrating one fresh SQLite file agree on the head revision; none fails."""
    url = f"sqlite:///{tmp_path / 'fresh.db'}"
    assert len(_race(url)) == 1
    assert {"postings", "webhook_inbox", "snapshots"} <= current_tables(create_store_engine(url))


def test_concurrent_upgrades_on_postgres(fresh_postgres_url: str) -> None:
    """Four processes migrating one fresh PostgreSQL database agree on the head revision; none fails."""
    assert len(_race(fresh_postgres_url)) == 1
    assert "oauth_tokens" in current_tables(create_store_engine(fresh_postgres_url))
