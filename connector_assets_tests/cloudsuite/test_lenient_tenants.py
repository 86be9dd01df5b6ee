"""Each lenient simulator option (a tenant behaving the older way): the client still posts, lists and finds."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest

from connector_assets.cloudsuite.erp import Erp
from connector_assets.cloudsuite.types import ErpEmployee, PostedJournal
from connector_assets_tests.cloudsuite.journals import payroll_journal
from connector_assets_tests.fixtures.ion_sandbox import LENIENT, IonSandbox

MakeErp = Callable[..., Erp]
M3_OPTIONS = ("mi_error_http_status", "mi_page_cap", "updbatch_returns_voucher", "voucher_delay_s",
              "template_maps_cuam", "duplicate_error_field")  # fmt: skip
SYTELINE_OPTIONS = (
    "require_journal_seq",
    "changes_per_request",
    "pad_employee_numbers",
    "syteline_require_balanced",
)


def test_every_lenient_option_is_covered() -> None:
    """A new lenient option needs a case here."""
    assert set(M3_OPTIONS) | set(SYTELINE_OPTIONS) == set(LENIENT)


@pytest.mark.parametrize("option", M3_OPTIONS)
def test_m3_client_on_a_lenient_tenant(
    make_ion_sandbox: Callable[..., IonSandbox], make_erp: MakeErp, option: str
) -> None:
    """Posting, finding and a failing look-up behave the same when one fact is the older, lenient one."""
    options: dict[str, Any] = {"voucher_delay_s": 0.0, option: LENIENT[option]}
    sandbox = make_ion_sandbox(**options)
    sandbox.sim.seed_accounts({"code": f"7{n:04d}"} for n in range(400))
    erp, journal = make_erp(sandbox, "m3"), payroll_journal()
    posted = erp.post_journal(journal)
    assert isinstance(posted, PostedJournal) and posted.line_count == len(journal.lines)
    assert erp.post_journal(journal) == posted
    assert len(sandbox.sim.vouchers()) == 1
    assert len(erp.list_gl_accounts()) == 400 + 41  # the demo chart has 41 accounts


@pytest.mark.parametrize("option", SYTELINE_OPTIONS)
def test_syteline_client_on_a_lenient_site(
    make_ion_sandbox: Callable[..., IonSandbox], make_erp: MakeErp, option: str
) -> None:
    """Entering a journal twice and upserting an employee twice give one journal and one employee."""
    # A site checking balance per request processes every change (else no journal could ever be entered).
    both = {"changes_per_request": None} if option == "syteline_require_balanced" else {}
    sandbox = make_ion_sandbox(**{option: LENIENT[option], **both})
    # A site that checks balance per request gets every row in one request (the row count is verified).
    together = {"rows_per_request": None} if option == "syteline_require_balanced" else {}
    erp, journal = make_erp(sandbox, "syteline", cloudsuite={"syteline": together}), payroll_journal()
    assert erp.post_journal(journal) == erp.post_journal(journal)
    assert len(sandbox.sim.journals()) == len(journal.lines)
    ada = ErpEmployee("1001", "Ada", "Lovelace", "ENG", "", date(2024, 1, 1), None)
    assert erp.upsert_employee(ada) == "added"
    assert erp.upsert_employee(ada) == "unchanged"
    assert [e.number for e in erp.list_employees()] == ["1001"]
