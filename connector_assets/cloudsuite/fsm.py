"""The FSM adapter (CloudSuite Financials & Supply Management over Landmark REST, reference §13).

Accounts come from `GeneralLedgerChartAccount`, cost centers from the accounting units (or the finance
dimension the connection names), journals go through `GLTransactionInterface` (see `fsm_gl`). FSM keeps
no employees: an FSM connection posts journals and reads master data only.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Literal

from connector_assets.cloudsuite.errors import EmployeeSyncUnsupported
from connector_assets.cloudsuite.flavours import employee_sync_note
from connector_assets.cloudsuite.fsm_gl import FsmGeneralLedger, FsmPostingOptions
from connector_assets.cloudsuite.landmark import LandmarkClient
from connector_assets.cloudsuite.types import (
    CostCenter,
    ErpEmployee,
    GlAccount,
    Journal,
    PostedJournal,
    SubmittedJournal,
)

CHART = "GeneralLedgerChartAccount"


@dataclass(frozen=True)
class FsmOptions:
    """Per-tenant FSM facts beyond posting: where the chart and the cost centers are listed."""

    posting: FsmPostingOptions
    chart_list: str = "_generic"
    cost_center_description_field: str = "Description"
    cost_center_active_field: str = "Active"  # AccountingUnit's inactive flag is unverified: `cloudsuite check`


def _active(value: str | None) -> bool:
    return (value or "").strip().lower() in ("true", "1", "y", "yes")


class FsmErp:
    """`Erp` for Infor FSM; journal posting is asynchronous (`SubmittedJournal`, then `find_journal`)."""

    flavour = "fsm"

    def __init__(self, client: LandmarkClient, options: FsmOptions) -> None:
        self.client = client
        self.options = options
        self.gl = FsmGeneralLedger(client, options.posting)

    def __repr__(self) -> str:
        p = self.options.posting
        return f"FsmErp(enterprise_group={p.enterprise_group!r}, accounting_entity={p.accounting_entity!r})"

    def close(self) -> None:
        """Release the HTTP connections."""
        self.client.transport.close()

    @property
    def _group(self) -> dict[str, str]:
        return {"FinanceEnterpriseGroup": self.options.posting.enterprise_group}

    # --- master data ---
    def list_gl_accounts(self) -> list[GlAccount]:
        """Every posting account of the enterprise group's chart, inactive ones included (blocked)."""
        rows = self.client.select(
            CHART, ["Account", "AccountDescription", "Active"], self._group,
            key=("FinanceEnterpriseGroup", "Account"), list_name=self.options.chart_list,
        )  # fmt: skip
        return [GlAccount(r["Account"], r.get("AccountDescription", ""), blocked=not _active(r.get("Active")))
                for r in rows if r.get("Account")]  # fmt: skip

    def list_cost_centers(self) -> list[CostCenter]:
        """Every value of the cost-center dimension (accounting units by default), inactive ones blocked."""
        o = self.options
        name = o.posting.cost_center_dimension
        rows = self.client.select(
            name, [name, o.cost_center_description_field, o.cost_center_active_field], self._group,
            key=("FinanceEnterpriseGroup", name),
        )  # fmt: skip
        return [CostCenter(r[name], r.get(o.cost_center_description_field, ""),
                           blocked=not _active(r.get(o.cost_center_active_field)))
                for r in rows if r.get(name)]  # fmt: skip

    # --- journals ---
    def find_journal(self, reference: str, *, posting_date: date | None = None) -> PostedJournal | None:
        """The released journal of `reference` (its run group); the posting date is not needed in FSM."""
        return self.gl.find_journal(reference)

    def post_journal(self, journal: Journal) -> PostedJournal | SubmittedJournal:
        """Interface `journal` once: `SubmittedJournal` until FSM's asynchronous run has released it."""
        return self.gl.post_journal(journal)

    def withdraw_unreleased(self, journal: Journal) -> PostedJournal | None:
        """Stop every queued run from releasing `journal`; what FSM released of it already (see `fsm_gl`)."""
        return self.gl.withdraw_unreleased(journal)

    # --- employees: FSM has none ---
    def _no_employees(self) -> EmployeeSyncUnsupported:
        return EmployeeSyncUnsupported(str(employee_sync_note("fsm")))

    def list_employees(self) -> list[ErpEmployee]:
        raise self._no_employees()

    def upsert_employee(self, employee: ErpEmployee) -> Literal["added", "updated", "unchanged"]:
        raise self._no_employees()

    def terminate_employee(self, employee_number: str, termination_date: date) -> None:
        raise self._no_employees()
