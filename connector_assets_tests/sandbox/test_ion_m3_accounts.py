"""M3 CRS630MI over MI REST v2: complete listing with maxrecs and start keys, MI errors inside HTTP 200."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from connector_assets_tests.fixtures.ion_sandbox import LENIENT, IonSandbox


@pytest.fixture
def ion_sandbox(make_ion_sandbox: Callable[..., IonSandbox]) -> IonSandbox:
    """This module checks the older (lenient) shapes; the strict defaults are covered in test_ion_strict."""
    return make_ion_sandbox(**LENIENT)


def _list_all(sb: IonSandbox, dimension: str, maxrecs: int) -> tuple[list[str], int]:
    """Page LstAccountID by re-calling with the last key (inclusive start key); returns codes and call count."""
    codes: list[str] = []
    start, calls = "", 0
    while True:
        calls += 1
        body = sb.m3("CRS630MI", "LstAccountID", AITP=dimension, AITM=start, maxrecs=maxrecs)
        records = body["results"][0]["records"]
        page = [r["AITM"] for r in records if not codes or r["AITM"] > codes[-1]]
        codes.extend(page)
        if len(records) < maxrecs:
            return codes, calls
        start = records[-1]["AITM"]


def test_listing_12000_accounts_with_start_keys_is_complete(make_ion_sandbox: Callable[..., IonSandbox]) -> None:
    """12,000 accounts seeded through the admin API come back complete and in key order, 1,000 per call."""
    sb = make_ion_sandbox(**LENIENT, seed_default=False)
    accounts = [{"code": f"{n:06d}", "name": f"Account {n}"} for n in range(12000)]
    seeded = sb.http.post(f"{sb.url}/_sandbox/accounts", json={"accounts": accounts}).json()
    assert seeded == {"seeded": 12000}
    codes, calls = _list_all(sb, "1", maxrecs=1000)
    assert codes == [a["code"] for a in accounts]
    assert calls == 13  # 12 full pages re-reading the start key, then a short one


def test_default_maxrecs_is_100_and_zero_means_all(ion_sandbox: IonSandbox) -> None:
    """Without maxrecs a list stops at 100 records; maxrecs=0 returns everything."""
    ion_sandbox.sim.seed_accounts({"code": f"9{n:03d}", "name": "extra"} for n in range(150))
    assert len(ion_sandbox.m3("CRS630MI", "LstAccountID", AITP="1")["results"][0]["records"]) == 100
    everything = ion_sandbox.m3("CRS630MI", "LstAccountID", AITP="1", maxrecs=0)["results"][0]["records"]
    assert len(everything) == 41 + 150


def test_exclusive_start_key_is_configurable(make_ion_sandbox: Callable[..., IonSandbox]) -> None:
    """With start_key_inclusive=False the start key itself is not returned again."""
    sb = make_ion_sandbox(**LENIENT, start_key_inclusive=False)
    records = sb.m3("CRS630MI", "LstAccountID", AITP="1", AITM="6000", maxrecs=1)["results"][0]["records"]
    assert records[0]["AITM"] == "6010"


def test_unknown_account_is_an_mi_error_inside_http_200(ion_sandbox: IonSandbox) -> None:
    """GetAccountID for a missing identity reports errorMessage, errorCode, errorField and the failed count."""
    body = ion_sandbox.m3("CRS630MI", "GetAccountID", AITP="1", AITM="6999")
    result = body["results"][0]
    assert result["errorField"] == "AITM" and result["errorType"] == "ServerReturnedNOK"
    assert "6999" in result["errorMessage"] and result["errorCode"]
    assert body["nrOfFailedTransactions"] == 1 and body["nrOfSuccessfullTransactions"] == 0


def test_account_fields_carry_blocked_flag_and_validity(ion_sandbox: IonSandbox) -> None:
    """LCCD shows a blocked account and VFDT/VTDT carry the validity dates in YMD8."""
    ion_sandbox.sim.seed_accounts([{"code": "6400", "name": "Old Wages", "valid_from": "2020-01-01",
                                    "valid_to": "2024-12-31"}])  # fmt: skip
    blocked = ion_sandbox.m3("CRS630MI", "GetAccountID", AITP="1", AITM="6900")["results"][0]["records"][0]
    assert blocked["LCCD"] == "1"
    dated = ion_sandbox.m3("CRS630MI", "GetAccountID", AITP="1", AITM="6400")["results"][0]["records"][0]
    assert (dated["VFDT"], dated["VTDT"], dated["LCCD"]) == ("20200101", "20241231", "0")


def test_cost_centers_live_on_the_configured_dimension(make_ion_sandbox: Callable[..., IonSandbox]) -> None:
    """Cost centres are listed on AITP=2 by default and on AITP=3 when the tenant says so."""
    default = make_ion_sandbox(**LENIENT)
    codes = [r["AITM"] for r in default.m3("CRS630MI", "LstAccountID", AITP="2")["results"][0]["records"]]
    assert codes == ["CC100", "CC200", "CC300", "CC400", "CC500"]
    moved = make_ion_sandbox(**LENIENT, cost_center_dimension=3)
    assert moved.m3("CRS630MI", "LstAccountID", AITP="2")["results"][0]["records"] == []
    assert len(moved.m3("CRS630MI", "LstAccountID", AITP="3")["results"][0]["records"]) == 5


def test_input_checks_name_the_field(ion_sandbox: IonSandbox) -> None:
    """A missing mandatory input, a too-long input and a foreign company each name the offending field."""
    missing = ion_sandbox.m3("CRS630MI", "LstAccountID")["results"][0]
    assert (missing["errorType"], missing["errorField"]) == ("MandatoryInputFieldNotFound", "AITP")
    too_long = ion_sandbox.m3("CRS630MI", "GetAccountID", AITP="1", AITM="12345678901")["results"][0]
    assert (too_long["errorType"], too_long["errorField"]) == ("InputFieldTooLong", "AITM")
    company = ion_sandbox.m3("CRS630MI", "LstAccountID", AITP="1", cono="200")["results"][0]
    assert (company["errorCode"], company["errorField"]) == ("XAU0008", "CONO")
    unknown = ion_sandbox.m3("CRS630MI", "LstNothing")["results"][0]
    assert unknown["errorType"] == "TransactionNotFound"


def test_returncols_excludeempty_and_righttrim(ion_sandbox: IonSandbox) -> None:
    """returncols limits the columns, excludeempty drops empty ones, righttrim=false pads to field width."""
    rec = ion_sandbox.m3("CRS630MI", "GetAccountID", AITP="1", AITM="6000", returncols="AITM,TX40")
    assert rec["results"][0]["records"] == [{"AITM": "6000", "TX40": "Wages Regular"}]
    sparse = ion_sandbox.m3("CRS630MI", "GetAccountID", AITP="2", AITM="CC100", excludeempty="true")
    assert "AICL" not in sparse["results"][0]["records"][0]
    padded = ion_sandbox.m3("CRS630MI", "GetAccountID", AITP="1", AITM="6000", righttrim="false")
    assert padded["results"][0]["records"][0]["AITM"] == "6000      "


def test_account_groups_and_user_info(ion_sandbox: IonSandbox) -> None:
    """CRS633MI lists the account groups in use and GetUserInfo returns the default company and division."""
    groups = ion_sandbox.m3("CRS633MI", "LstAccGroups")["results"][0]["records"]
    assert [g["AICL"] for g in groups] == ["PAYROLL"]
    info = ion_sandbox.m3("CRS630MI", "GetUserInfo")["results"][0]["records"][0]
    assert (info["ZDCONO"], info["ZDDIVI"]) == ("100", "AAA")
