"""Admin actions change the company and record the events Gusto would emit; /v1/events pages them."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx

from connector_assets_tests.fixtures.gusto_sandbox import GustoSandbox


def _events(c: httpx.Client, **params: Any) -> list[dict[str, Any]]:
    response = c.get("/v1/events", params={"limit": 100, **params})
    assert response.status_code == 200, response.text
    return list(response.json())


def _new_events(sb: GustoSandbox, before: int) -> list[tuple[str, str]]:
    return [(e.event_type, e.entity_uuid) for e in sb.sim.events.events[before:]]


def test_people_actions_emit_employee_and_compensation_events(gusto_sandbox: GustoSandbox) -> None:
    """hire, change_compensation, transfer, terminate and rehire each emit their documented events."""
    sb = gusto_sandbox
    sim = sb.sim
    start = len(sim.events.events)
    emp = sim.hire(first_name="Noa", department="Sales", hourly=True, rate="28.00")
    comp = sim.change_compensation(emp.uuid, rate="30.00")
    sim.transfer(emp.uuid, department="Operations")
    sim.terminate(emp.uuid, effective_date=sb.world.today - timedelta(days=1))
    sim.rehire(emp.uuid)
    first_comp = emp.jobs[0].compensations[0].uuid
    assert _new_events(sb, start) == [
        ("employee.created", emp.uuid),
        ("employee_job_compensation.created", first_comp),
        ("employee_job_compensation.created", comp.uuid),
        ("employee.updated", emp.uuid),
        ("employee.terminated", emp.uuid),
        ("employee.terminated_effective", emp.uuid),
        ("employee.rehired", emp.uuid),
        ("employee.rehire_effective", emp.uuid),
    ]
    with sb.client() as c:
        body = c.get(f"/v1/employees/{emp.uuid}", params={"include": "all_compensations"}).json()
        history = c.get(f"/v1/employees/{emp.uuid}/employment_history").json()
    assert body["department"] == "Operations" and body["terminated"] is False
    assert [x["rate"] for x in body["jobs"][0]["compensations"]] == ["28.00", "30.00"]
    assert len(history) == 2 and history[0]["termination_date"] is not None


def test_termination_effective_event_name_is_configurable(make_gusto_sandbox: Any) -> None:
    """termination_effective_event switches to the Embedded spelling."""
    sb = make_gusto_sandbox(termination_effective_event="employee.termination_effective")
    emp = sb.world.employees[0]
    sb.sim.terminate(emp.uuid)
    assert sb.sim.events.events[-1].event_type == "employee.termination_effective"


def test_run_payroll_processes_and_emits(gusto_sandbox: GustoSandbox) -> None:
    """Running the next regular payroll processes it with totals and emits payroll.processed."""
    sb = gusto_sandbox
    hired = sb.sim.hire(hourly=True, hire_date=sb.world.today - timedelta(days=30))
    payroll = sb.sim.run_payroll(pay_schedule="hourly")
    assert sb.sim.events.events[-1].event_type == "payroll.processed"
    assert hired.uuid in payroll.employee_uuids
    with sb.client() as c:
        body = c.get(f"/v1/companies/{sb.company_uuid}/payrolls/{payroll.uuid}", params={"per": 100}).json()
    assert body["processed"] is True and float(body["totals"]["gross_pay"]) > 0
    assert hired.uuid in {r["employee_uuid"] for r in body["employee_compensations"]}


def test_off_cycle_bonus_over_admin_http(gusto_sandbox: GustoSandbox) -> None:
    """POST /_sandbox/payrolls with bonuses makes an off-cycle Bonus run paying exactly those amounts."""
    sb = gusto_sandbox
    people = [e.uuid for e in sb.world.employees[:2]]
    response = sb.http.post(
        "/_sandbox/payrolls",
        json={"off_cycle": True, "reason": "Bonus", "bonuses": {people[0]: "1000.00", people[1]: "250.50"}},
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["off_cycle"] and body["totals"]["employee_bonuses"] == "1250.50"
    assert sb.sim.events.events[-1].entity_uuid == body["uuid"]


def test_admin_http_validates_input(gusto_sandbox: GustoSandbox) -> None:
    """Unknown fields and unknown departments get 422 with a message naming the problem."""
    sb = gusto_sandbox
    unknown = sb.http.post("/_sandbox/employees", json={"nickname": "x"})
    assert unknown.status_code == 422 and "nickname" in unknown.json()["error"]
    dept = sb.http.post("/_sandbox/employees", json={"department": "Alchemy"})
    assert dept.status_code == 422 and "Alchemy" in dept.json()["error"]
    hired = sb.http.post("/_sandbox/employees", json={"first_name": "Ida", "department": "CC300"})
    assert hired.status_code == 200 and hired.json()["department"] == "Consulting"
    fired = sb.http.post(
        f"/_sandbox/employees/{hired.json()['uuid']}/terminate", json={"effective_date": "2020-01-01"}
    )
    assert fired.status_code == 200 and fired.json()["terminated"] is True


def test_events_page_with_cursor_and_filters(gusto_sandbox: GustoSandbox) -> None:
    """starting_after_uuid pages without gaps or repeats; X-Has-Next-Page ends the walk; wildcards filter."""
    sb = gusto_sandbox
    for n in range(4):
        sb.sim.hire(first_name=f"P{n}")
    with sb.client(sb.system_token()) as c:
        everything = _events(c)
        seen: list[str] = []
        cursor: str | None = None
        while True:
            params: dict[str, Any] = {"limit": 3, **({"starting_after_uuid": cursor} if cursor else {})}
            page = c.get("/v1/events", params=params)
            seen += [e["uuid"] for e in page.json()]
            if page.headers["X-Has-Next-Page"] == "false":
                break
            cursor = page.json()[-1]["uuid"]
        created = _events(c, event_type="employee.*")
        comp = _events(c, event_type="*.created", resource_uuid=sb.company_uuid)
        assert c.get("/v1/events", params={"limit": 101}).status_code == 422
    assert seen == [e["uuid"] for e in everything] and len(seen) == len(set(seen))
    assert [e["timestamp"] for e in everything] == sorted(e["timestamp"] for e in everything)
    assert created and all(e["event_type"].startswith("employee.") for e in created)
    assert {e["event_type"] for e in comp} == {"employee.created", "employee_job_compensation.created"}


def test_history_events_respect_thirty_day_retention(gusto_sandbox: GustoSandbox) -> None:
    """Generated history shows in /v1/events only for the last 30 days; advancing the clock ages it out."""
    sb = gusto_sandbox
    with sb.client(sb.system_token()) as c:
        recent = _events(c, event_type="payroll.processed")
        assert recent, "the generated history has payrolls processed within 30 days"
    sb.sim.clock.advance(40 * 86400)
    with sb.client(sb.system_token()) as c:  # the old system token expired along the way
        assert _events(c, event_type="payroll.processed") == []
