"""M3 GLS840MI batches (add, control, update) and GLS200MI voucher reads, over MI REST v2."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest

from connector_assets_tests.fixtures.ion_sandbox import LENIENT, IonSandbox

GOOD_LINES = [
    {"AIT1": "6000", "AIT2": "CC100", "ACAM": "1500.25", "VTXT": "GP-PAY-0001 wages"},
    {"AIT1": "2100", "ACAM": "-1500.25", "VTXT": "GP-PAY-0001 net pay"},
]


@pytest.fixture
def ion_sandbox(make_ion_sandbox: Callable[..., IonSandbox]) -> IonSandbox:
    """This module checks the older (lenient) shapes; the strict defaults are covered in test_ion_strict."""
    return make_ion_sandbox(**LENIENT)


def _head(sb: IonSandbox, key1: str) -> dict[str, Any]:
    return sb.m3("GLS840MI", "AddBatchHead", KEY1=key1, INTN="PAYROLL", DESC="Payroll 2025-01-31")["results"][0]


def _line(sb: IonSandbox, key1: str, number: int, fields: dict[str, str]) -> dict[str, Any]:
    params = {"KEY1": key1, "LINE": str(number), "INRI": "I1", "ACDT": "20250131", **fields}
    return sb.m3("GLS840MI", "AddBatchLineFld", **params)["results"][0]


def _batch(sb: IonSandbox, key1: str, lines: list[dict[str, str]]) -> None:
    assert "errorMessage" not in _head(sb, key1)
    for number, fields in enumerate(lines, start=1):
        result = _line(sb, key1, number, fields)
        assert "errorMessage" not in result, result


def test_full_posting_flow_produces_one_voucher(ion_sandbox: IonSandbox) -> None:
    """AddBatchHead, two lines, CtrlBatch and UpdBatch post one balanced voucher with a number."""
    _batch(ion_sandbox, "GP250131A01", GOOD_LINES)
    assert "errorMessage" not in ion_sandbox.m3("GLS840MI", "CtrlBatch", KEY1="GP250131A01")["results"][0]
    posted = ion_sandbox.m3("GLS840MI", "UpdBatch", KEY1="GP250131A01")["results"][0]["records"][0]
    assert posted["YEA4"] == "2025" and posted["VONO"] == "1"
    [voucher] = ion_sandbox.sim.vouchers()
    assert [ln.amount for ln in voucher.lines] == [Decimal("1500.25"), Decimal("-1500.25")]
    assert voucher.lines[0].dims[:2] == ("6000", "CC100") and voucher.key1 == "GP250131A01"


def test_posted_voucher_reads_back_through_gls200mi(ion_sandbox: IonSandbox) -> None:
    """GetVoucherHead shows equal debit and credit sums; LstVoucherLines and LstVouchersByDt show the lines."""
    _batch(ion_sandbox, "GP250131A02", GOOD_LINES)
    ion_sandbox.m3("GLS840MI", "UpdBatch", KEY1="GP250131A02")
    head = ion_sandbox.m3("GLS200MI", "GetVoucherHead", YEA4="2025", VONO="1")["results"][0]["records"][0]
    assert head["DSUM"] == head["CSUM"] == "1500.25"
    lines = ion_sandbox.m3("GLS200MI", "LstVoucherLines", YEA4="2025", VONO="1")["results"][0]["records"]
    assert [(ln["AIT1"], ln["ACAM"], ln["DBCR"]) for ln in lines] == [("6000", "1500.25", "D"),
                                                                        ("2100", "-1500.25", "C")]  # fmt: skip
    by_date = ion_sandbox.m3("GLS200MI", "LstVouchersByDt", FRDT="20250101", TODT="20250131")["results"][0]
    assert {r["VTXT"] for r in by_date["records"]} == {"GP-PAY-0001 wages", "GP-PAY-0001 net pay"}
    missing = ion_sandbox.m3("GLS200MI", "GetVoucherHead", YEA4="2025", VONO="99")["results"][0]
    assert missing["errorField"] == "VONO"


def test_unbalanced_batch_is_rejected_and_never_posted(ion_sandbox: IonSandbox) -> None:
    """CtrlBatch and UpdBatch refuse a batch whose lines do not net to zero; nothing is posted."""
    _batch(ion_sandbox, "GP250131A03", [GOOD_LINES[0], {**GOOD_LINES[1], "ACAM": "-1500.24"}])
    ctrl = ion_sandbox.m3("GLS840MI", "CtrlBatch", KEY1="GP250131A03")["results"][0]
    assert "does not balance" in ctrl["errorMessage"] and "0.01" in ctrl["errorMessage"]
    upd = ion_sandbox.m3("GLS840MI", "UpdBatch", KEY1="GP250131A03")["results"][0]
    assert "does not balance" in upd["errorMessage"]
    assert ion_sandbox.sim.vouchers() == []


def test_unknown_blocked_or_expired_identities_are_rejected_per_line(ion_sandbox: IonSandbox) -> None:
    """A line with an unknown account, a blocked account, an unknown cost centre or an expired account fails."""
    ion_sandbox.sim.seed_accounts([{"code": "6410", "name": "Retired", "valid_to": "2024-12-31"}])
    assert "errorMessage" not in _head(ion_sandbox, "GP250131A04")
    cases = [({"AIT1": "6999"}, "AIT1", "does not exist"), ({"AIT1": "6900"}, "AIT1", "blocked"),
             ({"AIT1": "6000", "AIT2": "CC999"}, "AIT2", "CC999"), ({"AIT1": "6410"}, "AIT1", "not valid after")]  # fmt: skip
    for number, (dims, field, text) in enumerate(cases, start=1):
        result = _line(ion_sandbox, "GP250131A04", number, {**dims, "ACAM": "1.00"})
        assert result["errorField"] == field and text in result["errorMessage"], result
    assert ion_sandbox.sim.batches()[0].lines == {}


def test_account_blocked_after_adding_is_caught_at_update(ion_sandbox: IonSandbox) -> None:
    """UpdBatch re-validates the lines, so an account blocked after AddBatchLineFld stops the posting."""
    _batch(ion_sandbox, "GP250131A05", GOOD_LINES)
    ion_sandbox.http.post(f"{ion_sandbox.url}/_sandbox/accounts/6000/block", json={"blocked": True})
    upd = ion_sandbox.m3("GLS840MI", "UpdBatch", KEY1="GP250131A05")["results"][0]
    assert upd["errorField"] == "AIT1" and "line 1" in upd["errorMessage"]
    assert ion_sandbox.sim.vouchers() == []


def test_second_updbatch_does_not_post_twice(make_ion_sandbox: Callable[..., IonSandbox]) -> None:
    """A repeated UpdBatch is refused (default) or answered with the same voucher; only one voucher exists."""
    refusing = make_ion_sandbox(**LENIENT)
    _batch(refusing, "GP250131A06", GOOD_LINES)
    refusing.m3("GLS840MI", "UpdBatch", KEY1="GP250131A06")
    again = refusing.m3("GLS840MI", "UpdBatch", KEY1="GP250131A06")["results"][0]
    assert again["errorField"] == "KEY1" and "already updated" in again["errorMessage"]
    assert len(refusing.sim.vouchers()) == 1
    noop = make_ion_sandbox(**LENIENT, second_updbatch="noop")
    _batch(noop, "GP250131A06", GOOD_LINES)
    first = noop.m3("GLS840MI", "UpdBatch", KEY1="GP250131A06")["results"][0]["records"]
    assert noop.m3("GLS840MI", "UpdBatch", KEY1="GP250131A06")["results"][0]["records"] == first
    assert len(noop.sim.vouchers()) == 1


def test_batch_key_rules(ion_sandbox: IonSandbox) -> None:
    """An existing open KEY1 is refused naming KEY1, and a KEY1 over 15 characters is too long."""
    assert "errorMessage" not in _head(ion_sandbox, "GP250131A07")
    duplicate = _head(ion_sandbox, "GP250131A07")
    assert duplicate["errorField"] == "KEY1" and "already exists" in duplicate["errorMessage"]
    too_long = _head(ion_sandbox, "GP250131A070000")  # 15 characters is the limit
    assert "errorMessage" not in too_long
    assert _head(ion_sandbox, "GP250131A0700001")["errorType"] == "InputFieldTooLong"


def test_closed_period_and_bad_amounts_are_rejected(ion_sandbox: IonSandbox) -> None:
    """A line dated in a closed period fails on ACDT; a 3-decimal or comma amount fails on ACAM."""
    ion_sandbox.http.post(f"{ion_sandbox.url}/_sandbox/periods/close", json={"year": 2025, "month": 1})
    _head(ion_sandbox, "GP250131A08")
    closed = _line(ion_sandbox, "GP250131A08", 1, {"AIT1": "6000", "ACAM": "1.00"})
    assert closed["errorField"] == "ACDT" and "closed" in closed["errorMessage"]
    for amount in ("1.005", "1,00"):
        bad = _line(ion_sandbox, "GP250131A08", 2, {"AIT1": "6000", "ACAM": amount, "ACDT": "20250201"})
        assert bad["errorField"] == "ACAM", bad


def test_dbcr_code_sets_the_sign_of_a_positive_amount(ion_sandbox: IonSandbox) -> None:
    """ACAM 10.00 with DBCR C is a credit that balances ACAM 10.00 with DBCR D."""
    _batch(ion_sandbox, "GP250131A09", [{"AIT1": "6000", "ACAM": "10.00", "DBCR": "D"},
                                        {"AIT1": "2100", "ACAM": "10.00", "DBCR": "C"}])  # fmt: skip
    assert "errorMessage" not in ion_sandbox.m3("GLS840MI", "UpdBatch", KEY1="GP250131A09")["results"][0]
    assert ion_sandbox.sim.vouchers()[0].credit_sum == Decimal("10.00")


def test_bulk_post_runs_the_whole_flow_and_reports_counts(make_ion_sandbox: Callable[..., IonSandbox]) -> None:
    """One bulk POST carries head, lines and update; a failing transaction is counted and the rest run."""
    sb = make_ion_sandbox(**LENIENT)
    head = {"transaction": "AddBatchHead", "record": {"KEY1": "GPBULK1", "INTN": "PAYROLL", "DESC": "Bulk"}}
    lines = [{"transaction": "AddBatchLineFld",
              "record": {"KEY1": "GPBULK1", "LINE": n, "INRI": "I1", "ACDT": "20250131", **fields}}
             for n, fields in enumerate([*GOOD_LINES, {"AIT1": "6999", "ACAM": "1.00"}], start=1)]  # fmt: skip
    update = {"transaction": "UpdBatch", "record": {"KEY1": "GPBULK1"}}
    body = {"program": "GLS840MI", "cono": 100, "transactions": [head, *lines, update]}
    response = sb.client().post("/M3/m3api-rest/v2/execute", json=body).json()
    assert response["nrOfSuccessfullTransactions"] == 4 and response["nrOfFailedTransactions"] == 1
    assert response["results"][3]["errorField"] == "AIT1"
    assert len(sb.sim.vouchers()) == 1
    stopping = make_ion_sandbox(**LENIENT, bulk_stop_on_error=True)
    halted = stopping.client().post("/M3/m3api-rest/v2/execute", json=body).json()
    assert halted["wasTerminated"] is True and halted["nrOfNotProcessedTransactions"] == 1
    assert stopping.sim.vouchers() == []


def test_a_posted_line_can_be_edited_by_hand_through_the_admin_api(ion_sandbox: IonSandbox) -> None:
    """`POST /_sandbox/posted_lines/alter` changes one posted line's amount (what GLS200MI then reads back)."""
    _batch(ion_sandbox, "GP250131A03", GOOD_LINES)
    ion_sandbox.m3("GLS840MI", "UpdBatch", KEY1="GP250131A03")
    url = f"{ion_sandbox.url}/_sandbox/posted_lines/alter"
    body = {"key": "GP250131A03", "account": "6000", "cost_center": "CC100", "amount": "1512.59"}
    edited = ion_sandbox.http.post(url, json=body)
    assert edited.status_code == 200 and edited.json()["was"] == "1500.25"
    lines = ion_sandbox.m3("GLS200MI", "LstVoucherLines", YEA4="2025", VONO="1")["results"][0]["records"]
    assert [ln["ACAM"] for ln in lines] == ["1512.59", "-1500.25"]
    missing = ion_sandbox.http.post(url, json={**body, "account": "9999"})
    assert missing.status_code == 400 and "no posted line on account 9999" in missing.json()["error"]
