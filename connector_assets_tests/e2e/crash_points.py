"""Crash points: the ION simulator SIGKILLs the run process when a chosen request has been handled.

The simulator runs in the test process, so it can kill the child. The kill comes after the server has read
the whole request and acted on it, and before its answer is sent: the worst moment, when CloudSuite has done
something the connector never learnt of. (Killing on the request's arrival raced the request body: on a loaded
host a row insert whose body was still on the wire died with the process, and the step was not done.)
"""

from __future__ import annotations

import os
import re
import signal
from dataclasses import dataclass

from connector_assets.sandbox.faults import FaultRule


@dataclass
class KillOnRequest(FaultRule):
    """Kill `pid` once the server has handled the `nth` request whose path matches; the answer is lost.

    Inert until `pid` is set, so it can be armed before the process starts."""

    pid: int = 0
    nth: int = 1
    seen: int = 0
    fired: bool = False
    after: bool = True  # the server handles the request first; `handled` then kills before the answer leaves

    def matches(self, method: str, path: str) -> bool:
        if self.fired or self.pid <= 0 or re.search(self.path, path) is None:
            return False
        self.seen += 1
        if self.seen == self.nth:
            self.fired = True
            return True
        return False

    def handled(self) -> None:
        os.kill(self.pid, signal.SIGKILL)


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
# (or will hold) the journal, per ERP. M3 and SyteLine run in test_crash_posting, FSM in test_crash_fsm.
ACCEPTED_CRASH_POINTS = {
    "m3": CrashPoint("after_upd_batch", r"GLS840MI/UpdBatch"),
    "syteline": CrashPoint("after_sljournals_insert", r"/update/SLJournals"),
    # The second Interface Transactions request is the update run (the first is the edit-only run).
    "fsm": CrashPoint("after_interface", r"InterfaceTransactions_InterfaceTransactionsForm", nth=2),
}
