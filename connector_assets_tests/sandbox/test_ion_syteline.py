"""SyteLine (Mongoose IDO REST v2) through the simulated gateway: load paging, journals, periods, employees."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest

from connector_assets_tests.fixtures.ion_sandbox import LENIENT, IonSandbox

IDO = "/CSI/IDORequestService/ido"


@pytest.fixture
def ion_sandbox(make_ion_sandbox: Callable[..., IonSandbox]) -> IonSandbox:
    """This module checks the older (lenient) shapes; the strict defaults are covered in test_ion_strict."""
    return make_ion_sandbox(**LENIENT)


def _insert(props: dict[str, str]) -> dict[str, Any]:
    return {"Action": 1, "ItemId": "", "UpdateLocking": 1,
            "Properties": [{"Name": k, "Value": v, "Modified": True, "IsNull": False} for k, v in props.items()]}  # fmt: skip


def _journal(ref: str, acct: str, amount: str, unit2: str = "", day: str = "20250131") -> dict[str, Any]:
    return _insert({"TransDate": day, "Acct": acct, "AcctUnit2": unit2, "DomAmount": amount, "Ref": ref})


def _update(sb: IonSandbox, ido: str, changes: list[dict[str, Any]]) -> dict[str, Any]:
    response = sb.client().post(f"{IDO}/update/{ido}", params={"refresh": "true"}, json={"Changes": changes})
    assert response.status_code == 200
    body: dict[str, Any] = response.json()
    return body


def test_missing_or_unknown_mongoose_config_fails(ion_sandbox: IonSandbox) -> None:
    """Without X-Infor-MongooseConfig the call fails naming the header; an unknown configuration fails too."""
    bare = ion_sandbox.client().get(f"{IDO}/load/SLCharts", headers={"X-Infor-MongooseConfig": ""})
    assert bare.status_code == 400
    assert bare.json()["Success"] is False and "X-Infor-MongooseConfig" in bare.json()["Message"]
    wrong = ion_sandbox.client().get(f"{IDO}/load/SLCharts", headers={"X-Infor-MongooseConfig": "OTHER"})
    assert wrong.json()["Success"] is False and "OTHER" in wrong.json()["Message"]


def test_recordcap_and_bookmark_paging_read_everything_once(make_ion_sandbox: Callable[..., IonSandbox]) -> None:
    """recordcap=100 with loadtype=NEXT and the bookmark reads 250 accounts in 100/100/50 without overlap."""
    sb = make_ion_sandbox(**LENIENT, seed_default=False)
    sb.sim.seed_accounts({"code": f"{n:05d}", "name": f"Account {n}"} for n in range(250))
    params: dict[str, str] = {"properties": "Acct,Description", "recordcap": "100"}
    seen, sizes = [], []
    while True:
        body = sb.client().get(f"{IDO}/load/SLCharts", params=params).json()
        assert body["Success"] is True
        sizes.append(len(body["Items"]))
        seen += [item["Acct"] for item in body["Items"]]
        if not body["MoreRowsExist"]:
            break
        params = {**params, "loadtype": "NEXT", "bookmark": body["Bookmark"]}
    assert sizes == [100, 100, 50] and seen == [f"{n:05d}" for n in range(250)]
    assert set(body["Items"][0]) == {"Acct", "Description", "_ItemId"}


def test_recordcap_minus_one_is_200_and_zero_is_all(make_ion_sandbox: Callable[..., IonSandbox]) -> None:
    """recordcap -1 (or absent) returns 200 rows and says more exist; 0 returns every row; recordCap works too."""
    sb = make_ion_sandbox(**LENIENT, seed_default=False)
    sb.sim.seed_accounts({"code": f"{n:05d}"} for n in range(230))
    capped = sb.client().get(f"{IDO}/load/SLCharts", params={"recordcap": "-1"}).json()
    assert len(capped["Items"]) == 200 and capped["MoreRowsExist"] is True
    assert len(sb.client().get(f"{IDO}/load/SLCharts").json()["Items"]) == 200
    everything = sb.client().get(f"{IDO}/load/SLCharts", params={"recordCap": "0"}).json()
    assert len(everything["Items"]) == 230 and everything["MoreRowsExist"] is False


def test_filter_and_orderby(ion_sandbox: IonSandbox) -> None:
    """A WHERE-style filter and a DESC orderby select and order the rows; a bad filter is Success false."""
    params = {"filter": "Acct LIKE '21%' AND Acct <> '2100'", "orderby": "Acct DESC", "recordcap": "3"}
    body = ion_sandbox.client().get(f"{IDO}/load/SLCharts", params=params).json()
    assert [i["Acct"] for i in body["Items"]] == ["2195", "2190", "2185"]
    bad = ion_sandbox.client().get(f"{IDO}/load/SLCharts", params={"filter": "Nope = 'x'"}).json()
    assert bad["Success"] is False and "Nope" in bad["Message"]


def test_cost_centers_are_served_on_their_unit_code(ion_sandbox: IonSandbox) -> None:
    """SLUnitcd2s lists CC100..CC500 with the default unit code setting."""
    body = ion_sandbox.client().get(f"{IDO}/load/SLUnitcd2s").json()
    assert [i["UnitCode2"] for i in body["Items"]] == ["CC100", "CC200", "CC300", "CC400", "CC500"]


def test_balanced_journal_insert_is_stored_and_found_by_reference(ion_sandbox: IonSandbox) -> None:
    """Inserting a balanced journal with Action 1 stores it; a Ref filter finds exactly its rows."""
    body = _update(ion_sandbox, "SLJournals", [_journal("GP-PAY-0001", "6000", "1500.25", "CC100"),
                                               _journal("GP-PAY-0001", "2100", "-1500.25")])  # fmt: skip
    assert body["Success"] is True, body
    found = ion_sandbox.client().get(f"{IDO}/load/SLJournals", params={"filter": "Ref = 'GP-PAY-0001'"}).json()
    assert [(i["Acct"], i["DomAmount"], i["AcctUnit2"]) for i in found["Items"]] == [
        ("6000", "1500.25", "CC100"), ("2100", "-1500.25", "")]  # fmt: skip
    assert [j.amount for j in ion_sandbox.sim.journals()] == [Decimal("1500.25"), Decimal("-1500.25")]


def test_invalid_journals_are_rejected_whole(ion_sandbox: IonSandbox) -> None:
    """Unknown or blocked accounts, unknown unit codes, long references and unbalanced entries post nothing."""
    long_ref = "R" * 31
    cases = [
        ([_journal("A", "6999", "1.00"), _journal("A", "2100", "-1.00")], "6999"),
        ([_journal("B", "6900", "1.00"), _journal("B", "2100", "-1.00")], "blocked"),
        ([_journal("C", "6000", "1.00", "CC999"), _journal("C", "2100", "-1.00")], "CC999"),
        ([_journal(long_ref, "6000", "1.00"), _journal(long_ref, "2100", "-1.00")], "30 characters"),
        ([_journal("D", "6000", "1.00"), _journal("D", "2100", "-0.99")], "do not balance"),
    ]
    for changes, text in cases:
        body = _update(ion_sandbox, "SLJournals", changes)
        assert body["Success"] is False and text in body["Message"], body
    assert ion_sandbox.sim.journals() == []


def test_closed_period_rejects_journals_and_shows_in_slperiods(ion_sandbox: IonSandbox) -> None:
    """A journal dated in a closed period is refused, and SLPeriods reports the period as closed."""
    ion_sandbox.sim.close_period(2025, 1)
    body = _update(ion_sandbox, "SLJournals", [_journal("E", "6000", "1.00"), _journal("E", "2100", "-1.00")])
    assert body["Success"] is False and "closed" in body["Message"]
    periods = ion_sandbox.client().get(f"{IDO}/load/SLPeriods",
                                       params={"filter": "FiscalYear = 2025 AND Period IN (1, 2)"}).json()  # fmt: skip
    assert [(p["Period"], p["Closed"]) for p in periods["Items"]] == [("1", "1"), ("2", "0")]


def test_employees_insert_update_and_stale_item_id(ion_sandbox: IonSandbox) -> None:
    """SLEmployees inserts, updates through _ItemId (rejecting a stale one) and updates by EmpNum key."""
    props = {"EmpNum": "100", "Fname": "Grace", "Lname": "Hopper", "Dept": "ENG", "HireDate": "20240301"}
    assert _update(ion_sandbox, "SLEmployees", [_insert(props)])["Success"] is True
    item_id = ion_sandbox.client().get(f"{IDO}/load/SLEmployees").json()["Items"][0]["_ItemId"]
    term = {"Action": 2, "ItemId": item_id, "UpdateLocking": 1,
            "Properties": [{"Name": "TermDate", "Value": "20250131", "Modified": True, "IsNull": False}]}  # fmt: skip
    assert _update(ion_sandbox, "SLEmployees", [term])["Success"] is True
    stale = _update(ion_sandbox, "SLEmployees", [term])
    assert stale["Success"] is False and "another user" in stale["Message"]
    by_key = {"Action": 2, "ItemId": "", "Properties": [
        {"Name": "EmpNum", "Value": "100", "Modified": False}, {"Name": "Dept", "Value": "OPS", "Modified": True}]}  # fmt: skip
    assert _update(ion_sandbox, "SLEmployees", [by_key])["Success"] is True
    [emp] = ion_sandbox.sim.employees()
    assert (emp.name, emp.department, emp.term_date.isoformat() if emp.term_date else None) == (
        "Grace Hopper", "OPS", "2025-01-31")  # fmt: skip
    duplicate = _update(ion_sandbox, "SLEmployees", [_insert({"EmpNum": "100"})])
    assert duplicate["Success"] is False


def test_invoke_runs_a_registered_method(ion_sandbox: IonSandbox) -> None:
    """InvokeIDOMethod returns the output parameters by position; an unknown method is Success false."""
    ion_sandbox.sim.register_ido_method("SLJournals", "CountByRef", lambda p: ([p[0], "2"], "0"))
    body = ion_sandbox.client().post(f"{IDO}/invoke/SLJournals", params={"method": "CountByRef"},
                                     json=["GP-PAY-0001", None]).json()  # fmt: skip
    assert body == {"Message": None, "Success": True, "Parameters": ["GP-PAY-0001", "2"], "ReturnValue": "0"}
    unknown = ion_sandbox.client().post(f"{IDO}/invoke/SLJournals", params={"method": "Nope"}, json=[]).json()
    assert unknown["Success"] is False
