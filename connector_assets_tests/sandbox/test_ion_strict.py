"""The simulator's strict defaults, one test per corrected vendor fact (reference §12), over plain HTTP."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx

from connector_assets_tests.fixtures.ion_sandbox import IonSandbox

M3 = "/M3/m3api-rest/v2/execute"
IDO = "/CSI/IDORequestService/ido"
LINE = {"KEY1": "GPSTRICT1", "INRI": "I1", "ACDT": "20250131", "CUCD": "USD"}


def _m3(sb: IonSandbox, transaction: str, program: str = "GLS840MI", **params: str) -> httpx.Response:
    return sb.client().get(f"{M3}/{program}/{transaction}", params=params)


def _batch(sb: IonSandbox, key1: str = "GPSTRICT1") -> None:
    assert _m3(sb, "AddBatchHead", KEY1=key1, INTN="PAYROLL", DESC="strict").status_code == 200
    for number, (acct, amount) in enumerate([("6000", "100.00"), ("2100", "-100.00")], start=1):
        fields = {**LINE, "KEY1": key1, "LINE": str(number), "AIT1": acct, "ACAM": amount, "CUAM": amount}
        assert _m3(sb, "AddBatchLineFld", **fields).status_code == 200
    assert _m3(sb, "CtrlBatch", KEY1=key1).status_code == 200


def _vouchers_on(sb: IonSandbox, day: str) -> list[dict[str, str]]:
    body = _m3(sb, "LstVouchersByDt", "GLS200MI", FRDT=day, TODT=day, DIVI="AAA").json()
    records: list[dict[str, str]] = body["results"][0]["records"]
    return records


def test_mi_error_is_http_400_with_the_error_in_results(ion_sandbox: IonSandbox) -> None:
    """§12.1: a failing transaction answers HTTP 400; errorMessage/errorCode/errorField sit in results[0]."""
    response = _m3(ion_sandbox, "GetAccountID", "CRS630MI", AITP="1", AITM="9999")
    assert response.status_code == 400
    result = response.json()["results"][0]
    assert result["errorField"] == "AITM" and "9999" in result["errorMessage"] and result["errorCode"]


def test_top_level_error_shape_has_only_the_termination_reason(
    make_ion_sandbox: Callable[..., IonSandbox],
) -> None:
    """§12.1: the other shape: no results, the reason text embeds the code and the field."""
    sb = make_ion_sandbox(mi_error_shape="top_level")
    body = _m3(sb, "GetAccountID", "CRS630MI", AITP="1", AITM="9999").json()
    assert "results" not in body and body["wasTerminated"] is True
    assert "9999" in body["terminationReason"] and "(AITM)" in body["terminationReason"]


def test_updbatch_returns_only_cono_and_the_voucher_appears_later(ion_sandbox: IonSandbox) -> None:
    """§12.2-3: UpdBatch answers CONO only; GLS200MI lists the voucher once the background job ran."""
    _batch(ion_sandbox)
    head = _m3(ion_sandbox, "AddBatchHead", KEY1="GPSTRICT2", INTN="PAYROLL", DESC="x").json()
    assert head["results"][0]["records"] == [{"CONO": "100"}]
    updated = _m3(ion_sandbox, "UpdBatch", KEY1="GPSTRICT1").json()
    assert updated["results"][0]["records"] == [{"CONO": "100"}]
    assert _vouchers_on(ion_sandbox, "20250131") == []
    ion_sandbox.sim.advance_clock(ion_sandbox.sim.config.voucher_delay_s)
    lines = _vouchers_on(ion_sandbox, "20250131")
    assert len(lines) == 2 and all(ln["VTXT"] == "" or ln["VONO"] for ln in lines)


def test_lines_without_cuam_are_rejected(ion_sandbox: IonSandbox) -> None:
    """§12.4: the template maps CUAM: a line without it, or with a different amount, is refused on CUAM."""
    _m3(ion_sandbox, "AddBatchHead", KEY1="GPSTRICT3", INTN="PAYROLL", DESC="x")
    base = {**LINE, "KEY1": "GPSTRICT3", "LINE": "1", "AIT1": "6000", "ACAM": "5.00"}
    missing = _m3(ion_sandbox, "AddBatchLineFld", **base)
    assert missing.status_code == 400 and missing.json()["results"][0]["errorField"] == "CUAM"
    differs = _m3(ion_sandbox, "AddBatchLineFld", **base, CUAM="4.00")
    assert differs.json()["results"][0]["errorField"] == "CUAM"
    assert _m3(ion_sandbox, "AddBatchLineFld", **base, CUAM="5.00").status_code == 200


def test_server_caps_pages_below_maxrecs(make_ion_sandbox: Callable[..., IonSandbox]) -> None:
    """§12.5: maxrecs=1000 (or 0) returns at most the server's cap: a short page is not the end."""
    sb = make_ion_sandbox(seed_default=False)
    sb.sim.seed_accounts({"code": f"{n:05d}"} for n in range(700))
    cap = sb.sim.config.mi_page_cap
    assert cap is not None and cap < 700
    for maxrecs in ("1000", "0"):
        records = _m3(sb, "LstAccountID", "CRS630MI", AITP="1", maxrecs=maxrecs).json()["results"][0]["records"]
        assert len(records) == cap


def test_duplicate_batch_key_names_no_field(ion_sandbox: IonSandbox) -> None:
    """§12.6: a re-used KEY1 fails without errorField; only the code and message say what happened."""
    _m3(ion_sandbox, "AddBatchHead", KEY1="GPSTRICT4", INTN="PAYROLL", DESC="x")
    again = _m3(ion_sandbox, "AddBatchHead", KEY1="GPSTRICT4", INTN="PAYROLL", DESC="x").json()["results"][0]
    assert again["errorField"] == "" and "already exists" in again["errorMessage"] and again["errorCode"]


def _insert(props: dict[str, str]) -> dict[str, Any]:
    return {"Action": 1, "ItemId": "", "UpdateLocking": 1,
            "Properties": [{"Name": k, "Value": v, "Modified": True, "IsNull": False} for k, v in props.items()]}  # fmt: skip


def _seq(sb: IonSandbox, journal_id: str = "GJ") -> str:
    body = sb.client().post(f"{IDO}/invoke/SLJournals", params={"method": "GetNextJournalSeqSp"},
                            json=[journal_id, None]).json()  # fmt: skip
    assert body["Success"] is True
    return str(body["Parameters"][1])


def _row(ref: str, acct: str, amount: str, seq: str | None) -> dict[str, Any]:
    props = {"Id": "GJ", "TransDate": "20250131", "Acct": acct, "DomAmount": amount, "Ref": ref}
    return _insert(props | ({"Seq": seq} if seq else {}))


def _update(sb: IonSandbox, ido: str, changes: list[dict[str, Any]]) -> dict[str, Any]:
    body: dict[str, Any] = sb.client().post(f"{IDO}/update/{ido}", json={"Changes": changes}).json()
    return body


def test_journal_rows_need_a_seq_from_get_next_journal_seq(ion_sandbox: IonSandbox) -> None:
    """§12.8: an insert without Seq, or with one never issued, fails; GetNextJournalSeqSp issues 1, 2, ..."""
    without = _update(ion_sandbox, "SLJournals", [_row("R1", "6000", "1.00", None)])
    assert without["Success"] is False and "GetNextJournalSeqSp" in without["Message"]
    assert _update(ion_sandbox, "SLJournals", [_row("R1", "6000", "1.00", "7")])["Success"] is False
    assert [_seq(ion_sandbox), _seq(ion_sandbox)] == ["1", "2"]
    assert _update(ion_sandbox, "SLJournals", [_row("R1", "6000", "1.00", "1")])["Success"] is True
    assert [j.seq for j in ion_sandbox.sim.journals()] == [1]


def test_only_the_first_change_is_processed(ion_sandbox: IonSandbox) -> None:
    """§12.9: two changes in one request: Success, but only the first row exists."""
    changes = [_row("R2", "6000", "1.00", _seq(ion_sandbox)), _row("R2", "2100", "-1.00", _seq(ion_sandbox))]
    assert _update(ion_sandbox, "SLJournals", changes)["Success"] is True
    assert [j.account for j in ion_sandbox.sim.journals()] == ["6000"]


def test_journal_posting_moves_rows_to_ledgers(ion_sandbox: IonSandbox) -> None:
    """§12.10: after the customer's journal posting, the rows are in SLLedgers and gone from SLJournals."""
    for acct, amount in (("6000", "3.00"), ("2100", "-3.00")):
        assert _update(ion_sandbox, "SLJournals", [_row("R3", acct, amount, _seq(ion_sandbox))])["Success"]
    assert ion_sandbox.sim.post_journals() == 2
    load = {"properties": "Acct,DomAmount,Ref", "filter": "Ref = 'R3'"}
    assert ion_sandbox.client().get(f"{IDO}/load/SLJournals", params=load).json()["Items"] == []
    ledger = ion_sandbox.client().get(f"{IDO}/load/SLLedgers", params=load).json()["Items"]
    assert sorted(i["Acct"] for i in ledger) == ["2100", "6000"]


def test_emp_num_is_right_justified_to_seven(ion_sandbox: IonSandbox) -> None:
    """§12.11: EmpNum '1001' is stored as '   1001'; a filter on the bare number finds nothing; 8 chars fail."""
    added = _update(ion_sandbox, "SLEmployees", [_insert({"EmpNum": "1001", "Fname": "Ada", "Lname": "L"})])
    assert added["Success"] is True
    assert [e.number for e in ion_sandbox.sim.employees()] == ["   1001"]
    params = {"properties": "EmpNum,Fname", "filter": "EmpNum = '1001'"}
    assert ion_sandbox.client().get(f"{IDO}/load/SLEmployees", params=params).json()["Items"] == []
    padded = {**params, "filter": "EmpNum = '   1001'"}
    assert len(ion_sandbox.client().get(f"{IDO}/load/SLEmployees", params=padded).json()["Items"]) == 1
    too_long = _update(ion_sandbox, "SLEmployees", [_insert({"EmpNum": "12345678", "Fname": "B", "Lname": "C"})])
    assert too_long["Success"] is False and "7" in too_long["Message"]


def test_property_lists_are_the_tenants_and_unknown_ones_fail_the_load(ion_sandbox: IonSandbox) -> None:
    """§12.12: SLCharts has Acct, Description, Type, DerAmount1... but no Active; asking for it fails the load."""
    info = ion_sandbox.client().get(f"{IDO}/info/SLCharts").json()["Properties"]
    assert {"Acct", "Description", "Type", "DerAmount1", "DerAmount2", "DerFiscalYear", "RecordDate"} <= set(info)
    assert "Active" not in info
    failed = ion_sandbox.client().get(f"{IDO}/load/SLCharts", params={"properties": "Acct,Active"}).json()
    assert failed["Success"] is False and "Active" in failed["Message"]
    rows = ion_sandbox.client().get(f"{IDO}/load/IdoProperties", params={
        "properties": "PropertyName", "filter": "CollectionName = 'SLCharts'", "recordcap": "0"}).json()["Items"]  # fmt: skip
    assert sorted(r["PropertyName"] for r in rows) == sorted(info)
