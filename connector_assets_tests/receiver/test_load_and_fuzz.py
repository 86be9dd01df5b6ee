"""A concurrent burst is stored exactly once per event; fuzzed deliveries never cause a 5xx or an unsigned row."""

from __future__ import annotations

import json
import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from connector_assets.gusto.signature import SIGNATURE_HEADER, sign
from connector_assets_tests.receiver.conftest import CONNECTION, TOKEN, ReceiverHandle


def test_concurrent_burst_is_stored_exactly_once(receiver: ReceiverHandle) -> None:
    """200 deliveries from 32 threads, 10 of them repeats, all get 2xx and each event is stored once."""
    uuids = [str(uuid.uuid4()) for _ in range(190)]
    deliveries = uuids + uuids[:10]
    bodies = {u: json.dumps({"uuid": u, "event_type": "employee.updated"}).encode() for u in uuids}
    with ThreadPoolExecutor(max_workers=32) as pool:
        statuses = list(pool.map(lambda u: receiver.post(bodies[u]).status_code, deliveries))
    assert statuses == [200] * 200
    stored = receiver.stored_uuids()
    assert sorted(stored) == sorted(uuids)


_json_scalars = st.none() | st.booleans() | st.integers() | st.text(max_size=80)
_json_values = st.recursive(
    _json_scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4),
    max_leaves=12,
)
_event_docs = st.fixed_dictionaries(
    {},
    optional={
        "uuid": _json_values,
        "event_type": _json_values,
        "entity_type": _json_values,
        "entity_uuid": _json_values,
        "verification_token": _json_values,
        "webhook_subscription_uuid": _json_values,
    },
)
_bodies = (
    st.binary(max_size=300)
    | _event_docs.map(lambda d: json.dumps(d).encode())
    | _json_values.map(lambda v: json.dumps(v).encode())
)
_header_text = st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=126), max_size=80)
# How the delivery is signed: correctly, with the wrong key, with garbage, or not at all.
_signing = st.sampled_from(["valid", "wrong-key", "garbage", "none"])


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=_bodies, signing=_signing, garbage=_header_text, extra=st.dictionaries(_header_text, _header_text))
def test_fuzzed_deliveries_never_fail_the_server(
    receiver: ReceiverHandle, body: bytes, signing: str, garbage: str, extra: dict[str, str]
) -> None:
    """Arbitrary bodies and headers get 2xx/4xx, never 5xx, and only correctly signed events are stored."""
    # Only headers an HTTP client can send: token names, values without surrounding blanks.
    headers: dict[str, Any] = {k: v.strip() for k, v in extra.items() if k.isalnum()}
    headers.pop(SIGNATURE_HEADER, None)
    if signing == "valid":
        headers[SIGNATURE_HEADER] = sign(body, TOKEN)
    elif signing == "wrong-key":
        headers[SIGNATURE_HEADER] = sign(body, "another-token")
    elif signing == "garbage" and garbage.strip():
        headers[SIGNATURE_HEADER] = garbage.strip()
    before = receiver.inbox().count()
    response = receiver.client.post(f"{receiver.url}/webhooks/gusto/{CONNECTION}", content=body, headers=headers)
    assert response.status_code < 500
    stored = receiver.inbox().count() - before
    if signing != "valid":
        assert stored == 0
    elif response.status_code == 200 and response.json().get("status") == "stored":
        assert stored == 1
