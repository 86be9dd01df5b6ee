"""The SyteLine client on a strict site: discovered names, Seq per row, one row per request, SLLedgers, EmpNum."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import date

import pytest
from sqlalchemy import Engine

from connector_assets.cloudsuite.erp import Erp
from connector_assets.cloudsuite.errors import IonRequestError, SyteLineError
from connector_assets.cloudsuite.posting_outcomes import Posted
from connector_assets.cloudsuite.syteline import SyteLineErp, SyteLineOptions
from connector_assets.cloudsuite.syteline_schema import SyteLineSetupError
from connector_assets.cloudsuite.types import ErpEmployee
from connector_assets.ledger.reference import external_reference
from connector_assets.sandbox.faults import FaultRule
from connector_assets_tests.cloudsuite.journals import payroll_journal
from connector_assets_tests.cloudsuite.posting_cases import request_for, service
from connector_assets_tests.fixtures.ion_sandbox import IonSandbox

MakeErp = Callable[..., Erp]
ADA = ErpEmployee("1001", "Ada", "Lovelace", "ENG", "", date(2024, 1, 1), None)


def syteline(make_erp: MakeErp, sandbox: IonSandbox, **options: object) -> SyteLineErp:
    erp = make_erp(sandbox, "syteline", **options)
    assert isinstance(erp, SyteLineErp)
    return erp


def test_chart_is_read_with_discovered_names(ion_sandbox: IonSandbox, make_erp: MakeErp) -> None:
    """SLCharts has no Active property: the client asks only for what exists; obsolete accounts are blocked."""
    accounts = {a.account: a for a in syteline(make_erp, ion_sandbox).list_gl_accounts()}
    assert accounts["6900"].blocked and not accounts["6000"].blocked
    assert accounts["6000"].name


def test_discovery_falls_back_to_ido_properties(
    make_ion_sandbox: Callable[..., IonSandbox], make_erp: MakeErp
) -> None:
    """Without /ido/info the property lists come from the IdoProperties IDO."""
    sandbox = make_ion_sandbox(ido_info_endpoint=False)
    assert len(syteline(make_erp, sandbox).list_cost_centers()) == 5


def test_a_named_property_the_site_lacks_fails_with_what_exists(
    ion_sandbox: IonSandbox, make_erp: MakeErp
) -> None:
    """A setting naming a missing property fails before any load, listing the IDO's properties and the setting."""
    erp = syteline(make_erp, ion_sandbox, syteline_options=SyteLineOptions(chart={"active": "Active"}))
    with pytest.raises(SyteLineSetupError) as err:
        erp.list_gl_accounts()
    assert "SLCharts" in str(err.value) and "DerAmount1" in str(err.value)
    assert "cloudsuite.syteline.chart" in str(err.value)


def test_rows_are_entered_one_per_request_with_issued_seqs(ion_sandbox: IonSandbox, make_erp: MakeErp) -> None:
    """Every row carries a Seq from GetNextJournalSeqSp and arrives in its own request; all rows are there."""
    erp, journal = syteline(make_erp, ion_sandbox), payroll_journal()
    ion_sandbox.sim.reset_counters()
    posted = erp.post_journal(journal)
    rows = ion_sandbox.sim.journals()
    assert [r.seq for r in rows] == list(range(1, len(journal.lines) + 1))
    assert posted.line_count == len(journal.lines) and posted.lines is not None
    assert sorted((ln.account, ln.debit_cents, ln.credit_cents) for ln in posted.lines) == sorted(
        (ln.account, ln.debit_cents, ln.credit_cents) for ln in journal.lines
    )


def test_interrupted_entry_resumes_with_the_missing_rows(ion_sandbox: IonSandbox, make_erp: MakeErp) -> None:
    """Two rows entered before a crash: the retry enters only the rows still missing, each once."""
    erp, journal = syteline(make_erp, ion_sandbox), payroll_journal()
    for number, line in enumerate(journal.lines[:2], start=1):
        erp._enter(erp.schema().journal, journal, line, f"line {number}")
    ion_sandbox.sim.faults.add(FaultRule(path="/update/SLJournals", drop=True, count=1))
    with pytest.raises(IonRequestError):
        erp.post_journal(journal)
    assert len(ion_sandbox.sim.journals()) == 2
    posted = erp.post_journal(journal)
    assert len(ion_sandbox.sim.journals()) == len(journal.lines) == posted.line_count
    assert (posted.debit_cents, posted.credit_cents) == (journal.debit_cents, journal.credit_cents)


def test_reference_is_found_after_the_customer_posts_the_journal(
    ion_sandbox: IonSandbox, make_erp: MakeErp
) -> None:
    """Once journal posting moved the rows to SLLedgers, a retry finds them there and enters nothing."""
    erp, journal = syteline(make_erp, ion_sandbox), payroll_journal()
    erp.post_journal(journal)
    assert ion_sandbox.sim.post_journals() == len(journal.lines)
    assert ion_sandbox.sim.journals() == []
    found = erp.post_journal(journal)
    assert found.line_count == len(journal.lines) and found.document_id.startswith("ledger/")
    assert ion_sandbox.sim.journals() == [] and len(ion_sandbox.sim.ledgers()) == len(journal.lines)


def test_employee_numbers_are_expanded_everywhere(ion_sandbox: IonSandbox, make_erp: MakeErp) -> None:
    """'1001' is written and looked up as '   1001', listed back as '1001', and found again (not re-added)."""
    erp = syteline(make_erp, ion_sandbox)
    assert erp.upsert_employee(ADA) == "added"
    assert [e.number for e in ion_sandbox.sim.employees()] == ["   1001"]
    assert erp.upsert_employee(ADA) == "unchanged"
    assert [e.number for e in erp.list_employees()] == ["1001"]
    erp.terminate_employee("1001", date(2025, 2, 28))
    assert erp.list_employees()[0].termination_date == date(2025, 2, 28)


def test_numbers_too_long_need_a_mapping(ion_sandbox: IonSandbox, make_erp: MakeErp) -> None:
    """A 10-character number fails clearly; mapped to a site number it is written under that number."""
    long = ErpEmployee("4F2A9C0B7D", "Grace", "Hopper", "ENG", "", date(2024, 1, 1), None)
    with pytest.raises(SyteLineSetupError, match=r"4F2A9C0B7D.*employee_numbers"):
        syteline(make_erp, ion_sandbox).upsert_employee(long)
    mapped = syteline(make_erp, ion_sandbox,
                      syteline_options=SyteLineOptions(employee_numbers={"4F2A9C0B7D": "2001"}))  # fmt: skip
    assert mapped.upsert_employee(long) == "added"
    assert [e.number for e in mapped.list_employees()] == ["4F2A9C0B7D"]
    assert [e.number for e in ion_sandbox.sim.employees()] == ["   2001"]


def test_discovered_names_are_kept_per_connection(ion_sandbox: IonSandbox, make_erp: MakeErp) -> None:
    """A second adapter of the connection reads the names from the store; master data discovers them again."""
    syteline(make_erp, ion_sandbox).list_gl_accounts()
    ion_sandbox.sim.reset_counters()
    again = syteline(make_erp, ion_sandbox)
    again.find_journal("gusto:acme:none:v1")
    assert ion_sandbox.sim.counters()["ido_requests"] == 2  # the two look-ups, no property lists
    again.list_gl_accounts()
    assert ion_sandbox.sim.counters()["ido_requests"] == 2 + 5 + 1  # five property lists, one page


def test_post_once_completes_a_partly_entered_journal(
    ion_sandbox: IonSandbox, make_erp: MakeErp, sqlite_store: Engine
) -> None:
    """A crash left two rows: the posting service does not record that as the document, it enters the rest."""
    erp, svc = syteline(make_erp, ion_sandbox), service(sqlite_store, syteline(make_erp, ion_sandbox))
    request = request_for(payroll_journal())
    reference = external_reference(request.connection_id, request.payroll_uuid, 1)
    journal = replace(request.journal, external_reference=reference)
    for number, line in enumerate(journal.lines[:2], start=1):
        erp._enter(erp.schema().journal, journal, line, f"line {number}")
    posted = svc.post(request)
    assert isinstance(posted, Posted) and posted.line_count == len(journal.lines) == len(
        ion_sandbox.sim.journals()
    )


def test_a_refused_row_leaves_no_half_journal(ion_sandbox: IonSandbox, make_erp: MakeErp) -> None:
    """The site refuses the third row (blocked account): the two rows entered before are deleted again."""
    erp, journal = syteline(make_erp, ion_sandbox), payroll_journal()
    ion_sandbox.sim.block_account("2110")
    with pytest.raises(SyteLineError, match=r"2110.*2 row\(s\) already entered were deleted"):
        erp.post_journal(journal)
    assert ion_sandbox.sim.journals() == []
    ion_sandbox.sim.block_account("2110", blocked=False)
    assert erp.post_journal(journal).line_count == len(journal.lines)
