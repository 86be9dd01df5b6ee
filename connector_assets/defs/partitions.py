"""Partitions: one per connection for master data and workforce, one per payroll for the posting chain."""

from __future__ import annotations

import dagster as dg

CONNECTIONS, PAYROLLS = "connections", "payrolls"
connection_partitions = dg.DynamicPartitionsDefinition(name=CONNECTIONS)
payroll_partitions = dg.DynamicPartitionsDefinition(name=PAYROLLS)

SEPARATOR = ":"


def payroll_key(connection_id: str, payroll_uuid: str) -> str:
    """The partition key of a payroll: `{connection}:{payroll_uuid}`."""
    return f"{connection_id}{SEPARATOR}{payroll_uuid}"


def split_payroll_key(key: str) -> tuple[str, str]:
    """`(connection_id, payroll_uuid)` from a payroll partition key."""
    connection_id, sep, payroll_uuid = key.partition(SEPARATOR)
    if not sep or not connection_id or not payroll_uuid:
        raise ValueError(f"payroll partition key {key!r} is not of the form 'connection:payroll_uuid'")
    return connection_id, payroll_uuid
