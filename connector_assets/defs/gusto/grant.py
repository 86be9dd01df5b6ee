"""The company grant of each connection in the Dagster UI: an observation when it needs attention.

A grant is marked "needs attention" in the vault after a refresh whose outcome is unclear (see
`gusto/tokens.py`). The inbox sensor reports every change of that state as an observation of
`gusto/grant`, with the connection, the reason and the command that fixes it, and logs it.
"""

from __future__ import annotations

from collections.abc import Iterable

import dagster as dg

from connector_assets.defs.resources import StoreResource
from connector_assets.gusto.errors import reconnect_instruction
from connector_assets.gusto.tokens import COMPANY_PROVIDER

GRANT_KEY = dg.AssetKey(["gusto", "grant"])
REPORTED_KEY = "gusto_grant_attention_reported"

gusto_grant = dg.AssetSpec(
    GRANT_KEY,
    group_name="gusto",
    kinds={"gusto"},
    description="Each connection's Gusto company grant (OAuth). An observation with state 'needs attention' "
    "means no run can use it until an operator reconnects it.",
)


def grant_observations(store: StoreResource, connection_ids: Iterable[str]) -> list[dg.AssetObservation]:
    """One observation per connection whose grant entered or left "needs attention" since the last report."""
    attention = store.vault.needing_attention(COMPANY_PROVIDER)
    # Read in one query: every inbox tick, idle ones too, asks this for every connection.
    reported = store.state.by_connection(REPORTED_KEY)
    events: list[dg.AssetObservation] = []
    for connection_id in sorted(set(connection_ids) | set(attention)):
        reason = attention.get(connection_id)
        if reported.get(connection_id) == reason:
            continue
        store.state.put(connection_id, REPORTED_KEY, reason)
        metadata: dict[str, str] = {
            "connection": connection_id,
            "state": "needs attention" if reason else "usable",
        }
        if reason:
            metadata |= {"reason": reason, "action": reconnect_instruction(connection_id)}
        events.append(dg.AssetObservation(asset_key=GRANT_KEY, metadata=metadata))
    return events
