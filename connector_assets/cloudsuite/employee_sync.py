"""Many employees into CloudSuite at once: in bulk where the ERP offers it (M3), else one call path each."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from connector_assets.cloudsuite.erp import Erp
from connector_assets.cloudsuite.errors import CloudSuiteError
from connector_assets.cloudsuite.m3 import M3Erp
from connector_assets.cloudsuite.types import ErpEmployee


@dataclass(frozen=True)
class EmployeeTarget:
    """An employee as CloudSuite should hold it; `terminate` when the change is a termination."""

    employee: ErpEmployee
    terminate: bool = False


def sync_employees(erp: Erp, targets: Sequence[EmployeeTarget]) -> dict[str, str | CloudSuiteError]:
    """Employee number → `added`/`updated`/`unchanged`/`terminated`, or the error CloudSuite gave for it.

    One employee CloudSuite refuses (an unknown cost center, say) never stops the others.
    """
    if isinstance(erp, M3Erp):
        # M3 writes the termination date and the inactive flag with the basic data: one upsert suffices.
        outcomes: dict[str, str | CloudSuiteError] = dict(erp.sync_employees([t.employee for t in targets]))
        for target in targets:
            if target.terminate and not isinstance(outcomes.get(target.employee.number), CloudSuiteError):
                outcomes[target.employee.number] = "terminated"
        return outcomes
    return {t.employee.number: _one(erp, t) for t in targets}


def _one(erp: Erp, target: EmployeeTarget) -> str | CloudSuiteError:
    employee = target.employee
    try:
        outcome = erp.upsert_employee(employee)
        if target.terminate and employee.termination_date:
            erp.terminate_employee(employee.number, employee.termination_date)
            return "terminated"
        return outcome
    except CloudSuiteError as exc:
        return exc
