"""The single Definitions object: assets, checks, jobs, sensors, schedules and resources."""

from __future__ import annotations

import dagster as dg

from connector_assets.defs.resources import ConnectionsResource, StoreResource
from connector_assets.settings import CONNECTIONS_ENV, DEFAULT_CONNECTIONS_FILE

defs = dg.Definitions(
    resources={
        "store": StoreResource(
            database_url=dg.EnvVar("CONNECTOR_DATABASE_URL").get_value(),
            encryption_key=dg.EnvVar("CONNECTOR_ENCRYPTION_KEY"),
        ),
        "connections": ConnectionsResource(path=dg.EnvVar(CONNECTIONS_ENV).get_value() or DEFAULT_CONNECTIONS_FILE),
    },
)
