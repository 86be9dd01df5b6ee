"""M3 master data over the sandbox: complete account listings, cost centers, typed MI errors."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import httpx
import pytest

from connector_assets.cloudsuite.erp import Erp
from connector_assets.cloudsuite.errors import M3ApiError
from connector_assets.cloudsuite.m3 import M3Erp
from connector_assets_tests.cloudsuite.conftest import expire_after
from connector_assets_tests.cloudsuite.test_m3_bulk import Requests
from connector_assets_tests.fixtures.ion_sandbox import IonSandbox

MakeErp = Callable[..., Erp]


def chart(count: int) -> list[dict[str, Any]]:
    return [{"code": f"{40000 + i}", "name": f"Account {i}"} for i in range(count)]


def test_lists_twelve_thousand_accounts_completely(
    make_ion_sandbox: Callable[..., IonSandbox], make_erp: MakeErp
) -> None:
    """Start-key paging returns every account once, beyond the 100-record default."""
    sandbox = make_ion_sandbox(seed_default=False)
    sandbox.sim.seed_accounts(chart(12_000))
    accounts = make_erp(sandbox).list_gl_accounts()
    codes = [a.account for a in accounts]
    assert len(codes) == 12_000
    assert set(codes) == {f"{40000 + i}" for i in range(12_000)}


@pytest.mark.parametrize("inclusive", [True, False])
def test_paging_works_whether_the_start_key_repeats(
    make_ion_sandbox: Callable[..., IonSandbox], make_erp: MakeErp, inclusive: bool
) -> None:
    """Small pages with an inclusive or exclusive start key both list each account exactly once."""
    sandbox = make_ion_sandbox(seed_default=False, start_key_inclusive=inclusive, mi_default_maxrecs=100)
    sandbox.sim.seed_accounts(chart(250))
    erp = make_erp(sandbox)
    assert isinstance(erp, M3Erp)
    erp.options = type(erp.options)(page_size=7)
    codes = [a.account for a in erp.list_gl_accounts()]
    assert len(codes) == len(set(codes)) == 250


def test_token_expiry_mid_listing(make_ion_sandbox: Callable[..., IonSandbox], make_erp: MakeErp) -> None:
    """Tokens expiring between pages cost one re-authentication and no records."""
    sandbox = make_ion_sandbox(seed_default=False)
    sandbox.sim.seed_accounts(chart(5_000))
    http = httpx.Client(event_hooks={"response": [expire_after(sandbox, "LstAccountID", 2)]})
    try:
        accounts = make_erp(sandbox, http=http).list_gl_accounts()
    finally:
        http.close()
    assert len({a.account for a in accounts}) == 5_000
    counters = sandbox.sim.counters()
    assert counters["status_401"] == 1
    assert counters["authentications"] == 2


def test_short_lived_tokens_mid_listing(make_ion_sandbox: Callable[..., IonSandbox], make_erp: MakeErp) -> None:
    """With a seconds-long token lifetime that runs out between pages, the listing still completes."""
    sandbox = make_ion_sandbox(seed_default=False, token_ttl_s=5)
    sandbox.sim.seed_accounts(chart(3_000))
    seen = {"n": 0}

    def hook(response: httpx.Response) -> None:
        if "LstAccountID" in response.request.url.path and response.status_code == 200:
            seen["n"] += 1
            if seen["n"] in (1, 2):
                sandbox.sim.advance_clock(6)  # the token runs out before the next page

    http = httpx.Client(event_hooks={"response": [hook]})
    try:
        accounts = make_erp(sandbox, http=http).list_gl_accounts()
    finally:
        http.close()
    assert len(accounts) == 3_000
    assert sandbox.sim.counters()["authentications"] == 3


def test_blocked_flag_and_validity_dates(ion_sandbox: IonSandbox, make_erp: MakeErp) -> None:
    """LCCD and VFDT/VTDT come back as blocked and valid_from/valid_to."""
    ion_sandbox.sim.seed_accounts(
        [{"code": "7000", "name": "Old wages", "valid_from": "2020-01-01", "valid_to": "2024-12-31"}]
    )
    accounts = {a.account: a for a in make_erp(ion_sandbox).list_gl_accounts()}
    assert accounts["6900"].blocked and not accounts["6000"].blocked
    old = accounts["7000"]
    assert (old.valid_from, old.valid_to) == (date(2020, 1, 1), date(2024, 12, 31))
    assert old.open_on(date(2024, 6, 1)) and not old.open_on(date(2025, 1, 1))


def test_cost_centers_come_from_the_configured_dimension(
    make_ion_sandbox: Callable[..., IonSandbox], make_erp: MakeErp
) -> None:
    """A tenant keeping cost centers in dimension 3 is read from AITP=3."""
    sandbox = make_ion_sandbox(cost_center_dimension=3)
    sandbox.sim.seed_dimension(2, [{"code": "PRJ1", "name": "Not a cost center"}])
    erp = make_erp(sandbox, cloudsuite={"cost_center_dimension": 3})
    codes = {c.code for c in erp.list_cost_centers()}
    assert {"CC100", "CC200"} <= codes
    assert "PRJ1" not in codes


def test_mi_error_in_http_200_names_program_transaction_and_field(
    ion_sandbox: IonSandbox, make_erp: MakeErp
) -> None:
    """An errorMessage inside a 200 becomes M3ApiError with program, transaction and field."""
    erp = make_erp(ion_sandbox)
    assert isinstance(erp, M3Erp)
    with pytest.raises(M3ApiError) as err:
        erp.mi.execute("CRS630MI", "GetAccountID", {"AITP": "1", "AITM": "9999"}, record="account 9999")
    exc = err.value
    assert (exc.program, exc.transaction, exc.field) == ("CRS630MI", "GetAccountID", "AITM")
    assert exc.code == "WAI0103"
    assert "9999" in str(exc) and "field AITM" in str(exc)
    assert ion_sandbox.sim.counters()["status_200"] >= 1


def test_mi_error_with_an_error_status_is_still_typed(
    make_ion_sandbox: Callable[..., IonSandbox], make_erp: MakeErp
) -> None:
    """If the tenant answers MI errors with HTTP 500, the error is still M3ApiError and is not retried."""
    sandbox = make_ion_sandbox(mi_error_http_status=500)
    erp = make_erp(sandbox)
    assert isinstance(erp, M3Erp)
    with pytest.raises(M3ApiError, match="field AITP"):
        erp.mi.execute("CRS630MI", "LstAccountID", {"AITP": "9"})
    assert sandbox.sim.counters()["status_500"] == 1


def _counting_erp(make_erp: MakeErp, sandbox: IonSandbox, page_size: int | None = None) -> tuple[M3Erp, Requests]:
    requests = Requests()
    erp = make_erp(sandbox, http=httpx.Client(event_hooks={"response": [requests]}))
    assert isinstance(erp, M3Erp)
    if page_size is not None:
        erp.options = type(erp.options)(page_size=page_size)
    return erp, requests


@pytest.mark.parametrize("inclusive", [True, False])
def test_accounts_and_cost_centers_page_side_by_side_in_bulk(
    make_ion_sandbox: Callable[..., IonSandbox], make_erp: MakeErp, inclusive: bool
) -> None:
    """Both listings complete; each bulk POST carries a page of each, so they cost the longer one's pages."""
    sandbox = make_ion_sandbox(seed_default=False, start_key_inclusive=inclusive)
    sandbox.sim.seed_accounts(chart(700))
    sandbox.sim.seed_cost_centers([{"code": f"CC{n:04d}", "name": f"Center {n}"} for n in range(230)])
    alone, alone_requests = _counting_erp(make_erp, sandbox, page_size=100)
    expected_accounts = {a.account for a in alone.list_gl_accounts()}
    account_pages = alone_requests.single()
    alone.list_cost_centers()
    assert alone_requests.single() > account_pages  # the cost centers alone took requests of their own

    erp, requests = _counting_erp(make_erp, sandbox, page_size=100)
    accounts, cost_centers = erp.list_master_data()
    assert [a.account for a in accounts] == sorted(expected_accounts)
    assert [c.code for c in cost_centers] == [f"CC{n:04d}" for n in range(230)]
    assert (requests.bulk(), requests.single()) == (account_pages, 0)


def test_an_error_in_one_listing_names_that_listing(ion_sandbox: IonSandbox, make_erp: MakeErp) -> None:
    """A listing the server refuses raises its own MI error, naming it, not the listing beside it."""
    erp, requests = _counting_erp(make_erp, ion_sandbox)
    good, bad = {"AITP": "1", "DIVI": "AAA"}, {"AITP": "2", "DIVI": "TOOLONG"}
    with pytest.raises(M3ApiError) as err:
        erp.mi.list_many("CRS630MI", "LstAccountID", [good, bad], key="AITM", names=["accounts", "centers"])
    assert (err.value.field, err.value.record) == ("DIVI", "centers")
    assert requests.bulk() == 1


def test_a_listing_the_server_did_not_report_on_is_read_again_alone(
    make_ion_sandbox: Callable[..., IonSandbox], make_erp: MakeErp
) -> None:
    """A bulk failure given only at the top level leaves each listing's page unknown: each is read by GET,
    and the failing one raises its own error."""
    sandbox = make_ion_sandbox(mi_error_shape="top_level")
    erp, requests = _counting_erp(make_erp, sandbox)
    good, bad = {"AITP": "1", "DIVI": "AAA"}, {"AITP": "2", "DIVI": "TOOLONG"}
    with pytest.raises(M3ApiError) as err:
        erp.mi.list_many("CRS630MI", "LstAccountID", [good, bad], key="AITM", names=["accounts", "centers"])
    assert (err.value.field, err.value.record) == ("DIVI", "centers")
    assert (requests.bulk(), requests.single()) == (1, 2)
