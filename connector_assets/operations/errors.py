"""Typed errors of the operator commands; each message names the record and the next step."""

from __future__ import annotations


class OperationError(RuntimeError):
    """An operator command cannot do what was asked."""


class UnknownRecord(OperationError):
    """No audit entry or posting mentions the record (wrong uuid, or it was never read)."""


class AmbiguousConnection(OperationError):
    """The record appears under several connections; the command needs `--connection`."""


class ReplayRefused(OperationError):
    """The payroll would still be held; the reasons say what to fix first."""

    def __init__(self, message: str, reasons: list[str]) -> None:
        super().__init__(message)
        self.reasons = reasons
