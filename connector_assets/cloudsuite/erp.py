"""One ERP interface for every CloudSuite flavour, and the factory that picks the adapter of a connection."""

from __future__ import annotations

from datetime import date
from typing import Literal, Protocol, runtime_checkable

import httpx

from connector_assets.cloudsuite.fsm import FsmErp, FsmOptions
from connector_assets.cloudsuite.fsm_gl import FsmPostingOptions
from connector_assets.cloudsuite.ionapi import load_ionapi
from connector_assets.cloudsuite.landmark import LandmarkClient
from connector_assets.cloudsuite.m3 import M3Erp, M3Options
from connector_assets.cloudsuite.m3_gl import M3PostingOptions
from connector_assets.cloudsuite.m3_mi import MiClient
from connector_assets.cloudsuite.mongoose import IdoClient
from connector_assets.cloudsuite.retry import RetryPolicy
from connector_assets.cloudsuite.syteline import SyteLineErp, SyteLineOptions
from connector_assets.cloudsuite.tokens import DEFAULT_AUTH_PER_MINUTE, IonTokens
from connector_assets.cloudsuite.transport import IonTransport
from connector_assets.cloudsuite.types import (
    CostCenter,
    ErpEmployee,
    GlAccount,
    Journal,
    PostedJournal,
    SubmittedJournal,
)
from connector_assets.http_clients import new_client
from connector_assets.settings import CloudSuiteSettings, Connection, M3Template, SyteLineTemplate
from connector_assets.store.state import SyncState
from connector_assets.store.vault import TokenVault

UpsertOutcome = Literal["added", "updated", "unchanged"]


@runtime_checkable
class Erp(Protocol):
    """What the Dagster layer needs from CloudSuite, whatever the ERP behind the gateway."""

    flavour: str

    def list_gl_accounts(self) -> list[GlAccount]:
        """The complete chart of accounts, blocked accounts included."""
        ...

    def list_cost_centers(self) -> list[CostCenter]:
        """Every value of the connection's cost-center dimension."""
        ...

    def find_journal(self, reference: str, *, posting_date: date | None = None) -> PostedJournal | None:
        """The document posted under `reference`, or None; `posting_date` narrows the search where needed."""
        ...

    def post_journal(self, journal: Journal) -> PostedJournal | SubmittedJournal:
        """Post `journal` at most once per external reference; safe to call again after a crash.

        Returns the document when the ERP produced it synchronously, else `SubmittedJournal`: the ERP accepted
        it and `find_journal` will return the document once the ERP has created it."""
        ...

    def list_employees(self) -> list[ErpEmployee]:
        """Every employee of the ERP's employee master for this company."""
        ...

    def upsert_employee(self, employee: ErpEmployee) -> UpsertOutcome:
        """Add or update one employee; says which happened."""
        ...

    def terminate_employee(self, employee_number: str, termination_date: date) -> None:
        """Record a termination."""
        ...

    def close(self) -> None:
        """Release connections."""
        ...


def ion_session(
    connection: Connection,
    vault: TokenVault,
    *,
    http: httpx.Client | None = None,
    retry: RetryPolicy | None = None,
    auth_per_minute: int | None = DEFAULT_AUTH_PER_MINUTE,
) -> IonTransport:
    """The authenticated transport of a connection's tenant (credentials from its `.ionapi` file)."""
    cs = connection.cloudsuite
    credentials = load_ionapi(cs.ionapi_file)
    retry = retry or RetryPolicy()
    client = http or new_client(retry.timeout())
    tokens = IonTokens(
        connection.id,
        credentials,
        vault,
        client,
        refresh_margin_s=cs.refresh_margin_s,
        retry=retry,
        auth_per_minute=auth_per_minute,
    )
    return IonTransport(tokens, client, max_concurrency=cs.max_concurrency, retry=retry, owns_http=http is None)


def m3_options_from(template: M3Template) -> M3Options:
    """The adapter's options from the connection's `cloudsuite.m3` section."""
    posting = M3PostingOptions(
        interface_name=template.interface_name,
        record_identity=template.record_identity,
        amount_style=template.amount_style,
        duplicate_codes=tuple(template.duplicate_codes),
        duplicate_messages=tuple(template.duplicate_messages),
        updated_messages=tuple(template.updated_messages),
        search_page_limit=template.voucher_search_limit,
    )
    return M3Options(page_size=template.page_size, posting=posting)


def syteline_options_from(template: SyteLineTemplate) -> SyteLineOptions:
    """The adapter's options from the connection's `cloudsuite.syteline` section (names override discovery)."""
    return SyteLineOptions(
        page_size=template.page_size,
        journal_id=template.journal_id,
        employee_cost_center=template.employee_cost_center,
        chart=dict(template.chart),
        unit=dict(template.unit),
        journal=dict(template.journal),
        ledger=dict(template.ledger),
        employee=dict(template.employee),
        employee_numbers=dict(template.employee_numbers),
        rows_per_request=template.rows_per_request,
    )


def fsm_options_from(cs: CloudSuiteSettings) -> FsmOptions:
    """The adapter's options from the connection's `cloudsuite.fsm` section (required keys are validated)."""
    t = cs.fsm
    assert t.finance_enterprise_group and t.accounting_entity  # guaranteed by CloudSuiteSettings validation
    posting = FsmPostingOptions(
        enterprise_group=t.finance_enterprise_group, accounting_entity=t.accounting_entity,
        cost_center_dimension=t.cost_center_dimension, journal_code=t.journal_code, system_code=t.system_code,
        currency=cs.currency, batch_size=t.batch_size, edit_and_interface=t.edit_and_interface,
        journal_class=t.journal_class,
    )  # fmt: skip
    return FsmOptions(posting=posting, cost_center_active_field=t.cost_center_active_field)


def erp_for(
    connection: Connection,
    vault: TokenVault,
    *,
    http: httpx.Client | None = None,
    retry: RetryPolicy | None = None,
    auth_per_minute: int | None = DEFAULT_AUTH_PER_MINUTE,
    m3_options: M3Options | None = None,
    syteline_options: SyteLineOptions | None = None,
) -> Erp:
    """The adapter for `connection.cloudsuite.erp`; pass `http` to share a client (it is then not closed)."""
    cs = connection.cloudsuite
    m3_options = m3_options or m3_options_from(cs.m3)
    syteline_options = syteline_options or syteline_options_from(cs.syteline)
    transport = ion_session(connection, vault, http=http, retry=retry, auth_per_minute=auth_per_minute)
    if cs.erp == "fsm":
        client = LandmarkClient(transport, context_path=cs.fsm.context_path, page_size=cs.fsm.page_size)
        return FsmErp(client, fsm_options_from(cs))
    if cs.erp == "m3":
        assert cs.company and cs.division  # guaranteed by CloudSuiteSettings validation
        mi = MiClient(transport, company=cs.company, division=cs.division)
        return M3Erp(mi, cost_center_dimension=cs.cost_center_dimension, options=m3_options)
    assert cs.mongoose_config  # guaranteed by CloudSuiteSettings validation
    ido = IdoClient(transport, configuration=cs.mongoose_config)
    facts = SyncState(vault.engine)  # discovered property names are kept per connection
    return SyteLineErp(ido, cost_center_unit=cs.cost_center_dimension, options=syteline_options, facts=facts,
                       connection_id=connection.id)  # fmt: skip


def disconnect(connection: Connection, vault: TokenVault, *, http: httpx.Client | None = None) -> bool:
    """Revoke the connection's ION grant and delete it from the vault; False when none was stored."""
    transport = ion_session(connection, vault, http=http)
    try:
        return transport.tokens.revoke()
    finally:
        transport.close()
