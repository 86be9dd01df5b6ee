"""Crash points: the ION simulator SIGKILLs the run process when a chosen request reaches it.

The simulator runs in the test process, so it can kill the child. The request that triggers the kill is
still served (the gateway carries on), so the process dies *after* sending it and before reading the answer:
the worst moment, when CloudSuite has done something the connector never learnt of.
"""

from __future__ import annotations

import os
import re
import signal
from dataclasses import dataclass

from connector_assets.sandbox.faults import FaultRule


@dataclass
class KillOnRequest(FaultRule):
    """Kill `pid` when the `nth` request whose path matches arrives; never alters the request itself.

    Inert until `pid` is set, so it can be armed before the process starts."""

    pid: int = 0
    nth: int = 1
    seen: int = 0
    fired: bool = False

    def matches(self, method: str, path: str) -> bool:
        if self.fired or self.pid <= 0 or re.search(self.path, path) is None:
            return False
        self.seen += 1
        if self.seen == self.nth:
            self.fired = True
            os.kill(self.pid, signal.SIGKILL)
        return False


@dataclass(frozen=True)
class CrashPoint:
    """Where the run dies: the request path (regex) and which occurrence of it."""

    name: str
    path: str
    nth: int = 1


M3_CRASH_POINTS = (
    # The write-ahead row is written; the first call to CloudSuite is the reference lookup.
    CrashPoint("after_write_ahead_row", r"GLS200MI/LstVouchersByDt"),
    CrashPoint("after_add_batch_head", r"GLS840MI/AddBatchHead"),
    CrashPoint("after_some_lines", r"GLS840MI/AddBatchLineFld", nth=3),
    CrashPoint("after_upd_batch", r"GLS840MI/UpdBatch"),
    # The voucher exists and is being read back; the document id is not yet recorded in the store.
    CrashPoint("before_recording_document_id", r"GLS200MI/LstVoucherLines"),
)
SYTELINE_CRASH_POINTS = (CrashPoint("after_sljournals_insert", r"/update/SLJournals"),)

# "Crash after the ERP accepted, then change content, then replay": the request after which CloudSuite holds
# the journal, per ERP. The FSM adapter adds its own entry here (e.g. the run group's interface request) and
# a tenant of that flavour in test_crash_posting.ACCEPTED_TENANTS; the test is parametrized over this table.
ACCEPTED_CRASH_POINTS = {
    "m3": CrashPoint("after_upd_batch", r"GLS840MI/UpdBatch"),
    "syteline": CrashPoint("after_sljournals_insert", r"/update/SLJournals"),
}
