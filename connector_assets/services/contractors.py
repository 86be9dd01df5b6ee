"""Prepare one day's contractor journal: mapping, master data, build, validate. It reads, it never posts."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import Any

import polars as pl

from connector_assets.cloudsuite.erp import Erp
from connector_assets.cloudsuite.posting import PostingPlan, family_history, plan_posting
from connector_assets.gusto import contractors as gusto_contractors
from connector_assets.gusto.client import GustoClient
from connector_assets.ledger.contractors import build_contractor_journal, contractor_subject
from connector_assets.ledger.journal import Journal
from connector_assets.ledger.reference import external_reference
from connector_assets.ledger.validation import validate_journal
from connector_assets.mapping.contractors import load_contractor_mapping
from connector_assets.mapping.rules import department_cost_centers, load_mapping_file
from connector_assets.services.master_data import current_master_data
from connector_assets.settings import Connection
from connector_assets.store.postings import Postings
from connector_assets.store.snapshots import Snapshots


@dataclass(frozen=True, eq=False)
class PreparedContractorJournal:
    """A day's contractor journal ready to post (or held), or why there is nothing to post."""

    connection_id: str
    payment_date: date
    journal: Journal | None
    problems: pl.DataFrame
    master_data_version: str = ""
    skip_reason: str | None = None
    payload_hash: str = ""
    plan: PostingPlan | None = None  # what a run would do with the day's earlier postings

    @property
    def subject(self) -> str:
        return contractor_subject(self.payment_date)

    @property
    def held(self) -> bool:
        return self.problems.height > 0

    def reasons(self) -> list[dict[str, Any]]:
        return self.problems.to_dicts()


def read_contractor_day(client: GustoClient, day: date) -> dict[str, Any]:
    """The day's contractor payments with the company's contractors, as the journal is built from them."""
    batch = gusto_contractors.payments_on(client, day)
    batch["contractors"] = gusto_contractors.list_contractors(client)
    return batch


def prepare_contractor_journal(
    batch: dict[str, Any], connection: Connection, erp: Erp, snapshots: Snapshots, postings: Postings, digest: str
) -> PreparedContractorJournal:
    """Build and validate the day's journal; its reference is the day's next free revision."""
    day = date.fromisoformat(str(batch["date"])[:10])
    rules = load_mapping_file(connection.mapping_file)
    journal = build_contractor_journal(
        batch, batch.get("contractors") or [], load_contractor_mapping(connection.mapping_file),
        department_cost_centers(str(connection.mapping_file)), connection_id=connection.id,
        currency=connection.cloudsuite.currency, mapping_version=rules.version,
    )  # fmt: skip
    if journal is None:
        reason = "Gusto shows no funded contractor payment on this date (nothing to post)"
        return PreparedContractorJournal(connection.id, day, None, pl.DataFrame(), skip_reason=reason,
                                         payload_hash=digest)  # fmt: skip
    master = current_master_data(
        erp, snapshots, connection.id, timedelta(seconds=connection.posting.master_data_max_age_s)
    )
    subject = contractor_subject(day)
    plan = plan_posting(family_history(postings.for_payroll(connection.id, subject)), journal.header.content_hash)
    reference = external_reference(connection.id, subject, max(plan.revision, 1))
    journal = replace(journal, header=replace(journal.header, external_reference=reference))
    problems = validate_journal(journal, master.accounts.frame, master.cost_centers.frame)
    return PreparedContractorJournal(connection.id, day, journal, problems, master.version, payload_hash=digest,
                                     plan=plan)  # fmt: skip
