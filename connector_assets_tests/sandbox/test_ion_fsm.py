"""The simulated FSM tenant speaks Landmark REST as reference §13 describes, strictly, over real HTTP."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx

from connector_assets.sandbox.faults import FaultRule
from connector_assets.sandbox.ion.fsm_model import FsmConfig
from connector_assets_tests.fixtures.ion_sandbox import IonSandbox

SOAP = "/FSM/fsm/soap"
INTERFACE = f"{SOAP}/ldrest/GLTransactionInterface/InterfaceTransactions_InterfaceTransactionsForm_FormOperation"
DELETE = f"{SOAP}/ldrest/GLTransactionInterface/DeleteAllTransactionsForRunGroup_DeleteAllTransactionsForRunGroupForm_FormOperation"
BATCH = f"{SOAP}/classes/GLTransactionInterface/actions/CreateUnreleased/batch"


def _list(sb: IonSandbox, cls: str, **params: str) -> httpx.Response:
    return sb.client(mongoose=False).get(f"{SOAP}/classes/{cls}/lists/_generic", params=params)


def _rows(sb: IonSandbox, cls: str, **params: str) -> list[dict[str, str]]:
    response = _list(sb, cls, **params)
    assert response.status_code == 200, response.text
    body = response.json()
    return [item["_fields"] for item in body[1:]]


def _record(
    seq: int, account: str, amount: str, unit: str = "", group: str = "RG-1", **more: str
) -> dict[str, Any]:
    fields = {"FinanceEnterpriseGroup": "ACME", "GLTransactionInterface.RunGroup": group,
              "GLTransactionInterface.SequenceNumber": str(seq), "AccountingEntity": "1000", "AccountCode": account,
              "PostingDate": "20260313", "TransactionAmount": amount, "Reference": group, **more}  # fmt: skip
    if unit:
        fields["AccountingUnit"] = unit
    return {"message": "BatchImport", "_fields": fields}


def _stage(sb: IonSandbox, records: list[dict[str, Any]], **params: str) -> dict[str, Any]:
    response = sb.client(mongoose=False).post(BATCH, json={"_records": records}, params=params)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def _interface(sb: IonSandbox, group: str = "RG-1", **flags: str) -> httpx.Response:
    params = {"PrmRunGroup": group, "PrmEnterpriseGroup": "ACME", "_cmAll": "true", **flags}
    return sb.client(mongoose=False).get(INTERFACE, params=params)


def _results(sb: IonSandbox, group: str = "RG-1") -> list[dict[str, str]]:
    return _rows(sb, "GLTransactionInterfaceResult", _fields="_all", _lplFilter=f'RunGroup = "{group}"')


def _await(sb: IonSandbox, group: str = "RG-1", polls: int = 5) -> list[dict[str, str]]:
    for _ in range(polls):
        if rows := _results(sb, group):
            return rows
    raise AssertionError(f"no result for {group} after {polls} polls")


BALANCED = [_record(1, "6000", "100.00", "CC100"), _record(2, "2100", "-100.00")]


def test_fields_is_required_and_errors_are_code_and_message(ion_sandbox: IonSandbox) -> None:
    """A list without `_fields` is HTTP 400 with `{"code", "message"}`; so is an unknown field."""
    missing = _list(ion_sandbox, "GeneralLedgerChartAccount")
    assert missing.status_code == 400 and set(missing.json()) == {"code", "message"}
    assert "_fields" in missing.json()["message"]
    unknown = _list(ion_sandbox, "GeneralLedgerChartAccount", _fields="Account,Colour")
    assert unknown.status_code == 400 and "Colour" in unknown.json()["message"]


def test_lists_default_to_five_rows_after_a_metadata_element_with_string_values(ion_sandbox: IonSandbox) -> None:
    """`_limit` defaults to 5; element 0 is `{"_count", "_links"}`; every value, booleans included, is a string."""
    body = _list(ion_sandbox, "GeneralLedgerChartAccount", _fields="_all").json()
    assert body[0] == {"_count": 41, "_links": []} and len(body) == 6
    for item in body[1:]:
        assert all(isinstance(v, str) for v in item["_fields"].values())
        assert item["_fields"]["Active"] in ("true", "false")
    assert set(body[1]["_fields"]) >= {"FinanceEnterpriseGroup", "GeneralLedgerChartAccount", "Account",
                                       "AccountDescription", "AccountType", "Active"}  # fmt: skip


def test_record_count_only_answers_an_object(ion_sandbox: IonSandbox) -> None:
    """`_recordCountOnly=true` answers `{"_count": N}` with N a JSON number, filter applied."""
    body = _list(ion_sandbox, "GeneralLedgerChartAccount", _recordCountOnly="true", _lplFilter='Active = "false"')
    assert body.json() == {"_count": 1}


def test_units_dimensions_and_entities_carry_their_state(make_ion_sandbox: Callable[..., IonSandbox]) -> None:
    """AccountingUnit and FinanceDimension1..10 have `Active`; AccountingEntity has `Status`."""
    sb = make_ion_sandbox()
    sb.sim.block_cost_center("CC200")
    sb.sim.fsm.seed_dimension("FinanceDimension4", [{"code": "P1", "name": "Project one"}])
    units = _rows(sb, "AccountingUnit", _fields="AccountingUnit,Active", _limit="10")
    assert {u["AccountingUnit"]: u["Active"] for u in units}["CC200"] == "false"
    assert _rows(sb, "FinanceDimension4", _fields="FinanceDimension4,Description,Active") == [
        {"FinanceDimension4": "P1", "Description": "Project one", "Active": "true"}
    ]
    assert _rows(sb, "AccountingEntity", _fields="AccountingEntity,Status") == [
        {"AccountingEntity": "1000", "Status": "1"}
    ]


def test_later_pages_drop_the_filter_and_pages_are_capped(make_ion_sandbox: Callable[..., IonSandbox]) -> None:
    """The strict default: `_limit` above the cap is cut, and `_offset` pages ignore `_lplFilter`."""
    sb = make_ion_sandbox(fsm=FsmConfig(max_limit=3))
    first = _rows(
        sb, "GeneralLedgerChartAccount", _fields="Account,Active", _limit="100", _lplFilter='Active = "false"'
    )
    assert first == [{"Account": "6900", "Active": "false"}]
    later = _rows(sb, "GeneralLedgerChartAccount", _fields="Account,Active", _limit="100", _offset="3",
                  _lplFilter='Active = "false"')  # fmt: skip
    assert len(later) == 3 and {r["Active"] for r in later} == {"true"}


def test_staging_reports_each_record_and_stops_at_the_first_failure_by_default(ion_sandbox: IonSandbox) -> None:
    """CreateUnreleased answers one item per record; without `_maxFailures=-1` records after a failure are skipped."""
    bad = _record(2, "2100", "-100.001")
    body = _stage(ion_sandbox, [_record(1, "6000", "100.00"), bad, _record(3, "2100", "-100.00")])
    assert "exception" not in body["_records"][0]
    assert "TransactionAmount" in body["_records"][1]["exception"]["message"]
    assert body["_records"][2]["exception"]["code"] == "NotProcessed"
    again = _stage(ion_sandbox, [_record(1, "6000", "1.00"), _record(4, "2100", "-1.00"),
                                 {"message": "BatchImport", "_fields": {"AccountCode": "6000"}}], _maxFailures="-1")  # fmt: skip
    assert again["_records"][0]["exception"]["code"] == "DuplicateRecord"
    assert "exception" not in again["_records"][1]
    assert "required" in again["_records"][2]["exception"]["message"]
    assert len(ion_sandbox.sim.fsm.staged()) == 2


def test_bad_batches_are_400(ion_sandbox: IonSandbox) -> None:
    """No `_records`, or more than 100 records, is HTTP 400 `{"code", "message"}`."""
    client = ion_sandbox.client(mongoose=False)
    assert client.post(BATCH, json={"records": []}).status_code == 400
    too_many = client.post(BATCH, json={"_records": [_record(n, "6000", "1.00") for n in range(1, 102)]})
    assert too_many.status_code == 400 and "at most 100" in too_many.json()["message"]


def test_edit_only_marks_each_line_and_posts_nothing(ion_sandbox: IonSandbox) -> None:
    """Closed period, unknown account, inactive unit and an unbalanced entity each give a line's ErrorMessage."""
    ion_sandbox.sim.block_cost_center("CC300")
    _stage(ion_sandbox, [_record(1, "6000", "100.00", "CC300"), _record(2, "7777", "-90.00")], _maxFailures="-1")
    assert _interface(ion_sandbox, PrmEditOnly="true").status_code == 200
    (result,) = _await(ion_sandbox)
    assert (result["RecordCount"], result["PassedCount"], result["FailedCount"]) == ("2", "0", "2")
    rows = _rows(
        ion_sandbox, "GLTransactionInterface", _fields="GLTransactionInterface.SequenceNumber,ErrorMessage"
    )
    assert [r[" ErrorMessage"] for r in rows] == ["Accounting Unit CC300 is inactive",
                                                 "Account 7777 does not exist in Finance Enterprise Group ACME"]  # fmt: skip
    _stage(ion_sandbox, [_record(1, "6000", "100.00", group="RG-2"), _record(2, "2100", "-90.00", group="RG-2")])
    _interface(ion_sandbox, "RG-2", PrmEditOnly="true")
    _await(ion_sandbox, "RG-2")
    assert all("out of balance by 10.00" in s.error for s in ion_sandbox.sim.fsm.staged() if s.run_group == "RG-2")
    ion_sandbox.sim.close_period(2026, 3)
    _stage(ion_sandbox, [_record(1, "6000", "5.00", group="RG-3"), _record(2, "2100", "-5.00", group="RG-3")])
    _interface(ion_sandbox, "RG-3", PrmEditOnly="true")
    _await(ion_sandbox, "RG-3")
    assert {s.error for s in ion_sandbox.sim.fsm.staged() if s.run_group == "RG-3"} == {
        "No open period found for Posting Date March 13, 2026"
    }
    assert not ion_sandbox.sim.fsm.posted()


def test_results_are_asynchronous_and_their_ids_compare_as_numbers(ion_sandbox: IonSandbox) -> None:
    """A run shows no result on the first poll; ids cross 999 -> 1000, so only an integer order is right."""
    _stage(ion_sandbox, BALANCED)
    _interface(ion_sandbox, PrmEditOnly="true")
    assert _results(ion_sandbox) == []
    first = _await(ion_sandbox)
    _interface(ion_sandbox, PrmEditOnly="true")
    assert len(_results(ion_sandbox)) == 1, "the second run is still queued"
    both = _results(ion_sandbox)
    ids = [r["GLTransactionInterfaceResult"] for r in both]
    assert first[0]["GLTransactionInterfaceResult"] == "999" and ids == ["999", "1000"]
    assert max(ids) == "999" and max(ids, key=int) == "1000"
    assert "ResultSequence" not in both[0]


def test_update_needs_edit_and_interface_and_is_all_or_nothing(ion_sandbox: IonSandbox) -> None:
    """Without PrmEditAndInterface a run stays edit-only; with it, clean records are released and leave staging."""
    _stage(ion_sandbox, BALANCED)
    _interface(ion_sandbox, PrmEditOnly="false", PrmPartialUpdate="false")
    ion_sandbox.sim.fsm.complete_runs()
    assert not ion_sandbox.sim.fsm.posted() and len(ion_sandbox.sim.fsm.staged()) == 2
    _interface(ion_sandbox, PrmEditOnly="false", PrmPartialUpdate="false", PrmEditAndInterface="true")
    ion_sandbox.sim.fsm.complete_runs()
    assert [(p.account, str(p.amount)) for p in ion_sandbox.sim.fsm.posted()] == [
        ("6000", "100.00"),
        ("2100", "-100.00"),
    ]
    assert not ion_sandbox.sim.fsm.staged()
    journal = _rows(
        ion_sandbox, "GeneralLedgerTransaction", _fields="AccountCode,Reference", _lplFilter='Reference = "RG-1"'
    )
    assert journal == [{"AccountCode": "6000", "Reference": "RG-1"}, {"AccountCode": "2100", "Reference": "RG-1"}]


def test_an_error_holds_the_whole_entity_unless_partial_update(ion_sandbox: IonSandbox) -> None:
    """PrmPartialUpdate=false releases nothing when a record errs; partial update releases the clean ones."""
    _stage(ion_sandbox, [*BALANCED, _record(3, "7777", "1.00"), _record(4, "2100", "-1.00")])
    flags = {"PrmEditOnly": "false", "PrmEditAndInterface": "true"}
    _interface(ion_sandbox, PrmPartialUpdate="false", **flags)
    ion_sandbox.sim.fsm.complete_runs()
    assert not ion_sandbox.sim.fsm.posted() and len(ion_sandbox.sim.fsm.staged()) == 4
    _interface(ion_sandbox, PrmPartialUpdate="true", **flags)
    ion_sandbox.sim.fsm.complete_runs()
    assert {p.account for p in ion_sandbox.sim.fsm.posted()} == {"6000", "2100"}
    assert [s.fields["AccountCode"] for s in ion_sandbox.sim.fsm.staged()] == ["7777"]


def test_run_group_rollback_and_form_rules(ion_sandbox: IonSandbox) -> None:
    """DeleteAllTransactionsForRunGroup empties the run group; form operations need `_cmAll=true`."""
    _stage(ion_sandbox, BALANCED)
    client = ion_sandbox.client(mongoose=False)
    refused = client.get(DELETE, params={"PrmRunGroup": "RG-1", "PrmEnterpriseGroup": "ACME"})
    assert refused.status_code == 400 and "_cmAll" in refused.json()["message"]
    assert client.get(
        DELETE, params={"PrmRunGroup": "RG-1", "PrmEnterpriseGroup": "ACME", "_cmAll": "true"}
    ).is_success
    assert not ion_sandbox.sim.fsm.staged()


def test_faults_are_injected_on_fsm_routes(ion_sandbox: IonSandbox) -> None:
    """The gateway's fault rules reach the FSM paths like the M3 and SyteLine ones."""
    ion_sandbox.sim.faults.add(FaultRule(path="CreateUnreleased", status=503, count=1))
    client = ion_sandbox.client(mongoose=False)
    assert client.post(BATCH, json={"_records": BALANCED}).status_code == 503
    assert client.post(BATCH, json={"_records": BALANCED}).status_code == 200
