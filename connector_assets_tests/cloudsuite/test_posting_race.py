"""One poster per reference: two processes posting one payroll at the same moment leave one document."""

from __future__ import annotations

import contextlib
import multiprocessing as mp
import os
import signal
import threading
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import Engine

from connector_assets.cloudsuite.erp import Erp, erp_for
from connector_assets.cloudsuite.posting_outcomes import Posted, Unchanged
from connector_assets.cloudsuite.syteline import journal_reference
from connector_assets.cloudsuite.types import Journal, PostedJournal, SubmittedJournal
from connector_assets.store import create_store_engine
from connector_assets.store.crypto import SecretCipher
from connector_assets.store.locks import PostingLocked, PostingLocks
from connector_assets.store.vault import TokenVault
from connector_assets_tests.cloudsuite.conftest import FAST_RETRY, make_connection
from connector_assets_tests.cloudsuite.posting_cases import bonus_journal, request_for, service
from connector_assets_tests.fixtures.ion_sandbox import IonSandbox

# How long the first poster waits at the barrier for a rival that the lock keeps out; a bound, not a pause.
RIVAL_WAIT_S = 3.0


@dataclass
class RacingErp:
    """Holds every `post_journal` at a barrier until the rival poster arrives too (or the wait runs out)."""

    inner: Erp
    at_post: Any

    @property
    def flavour(self) -> str:
        return self.inner.flavour

    def find_journal(self, reference: str, **kw: Any) -> PostedJournal | None:
        return self.inner.find_journal(reference, **kw)

    def post_journal(self, journal: Journal) -> PostedJournal | SubmittedJournal:
        with contextlib.suppress(threading.BrokenBarrierError):  # the rival is kept out by the lock: post alone
            self.at_post.wait(timeout=RIVAL_WAIT_S)
        return self.inner.post_journal(journal)

    def close(self) -> None:
        self.inner.close()


def _poster(url: str, key: str, sandbox: IonSandbox, start: Any, at_post: Any, results: Any) -> None:
    create_store_engine.cache_clear()  # a forked child opens its own connections
    engine = create_store_engine(url)
    vault = TokenVault(engine, SecretCipher([key]))
    erp = RacingErp(erp_for(make_connection(sandbox, "syteline"), vault, retry=FAST_RETRY), at_post)
    try:
        start.wait(timeout=60)
        outcome = service(engine, erp).post(request_for(bonus_journal()))  # type: ignore[arg-type]
        results.put((type(outcome).__name__, getattr(outcome, "document_id", None)))
    except Exception as exc:  # reported to the parent, which asserts on it
        results.put(("error", repr(exc)))
    finally:
        erp.close()


def test_two_processes_posting_one_payroll_leave_one_document(
    store_engine: Engine, ion_sandbox: IonSandbox
) -> None:
    """Both processes start together; the lock lets one look up and post, the other finds its document."""
    ctx = mp.get_context("fork")
    start, at_post, results = ctx.Barrier(2), ctx.Barrier(2), ctx.Queue()
    url = store_engine.url.render_as_string(hide_password=False)
    key = SecretCipher.generate_key()
    workers = [
        ctx.Process(target=_poster, args=(url, key, ion_sandbox, start, at_post, results)) for _ in range(2)
    ]
    for w in workers:
        w.start()
    outcomes = sorted(results.get(timeout=120) for _ in workers)
    for w in workers:
        w.join(timeout=30)
    reference = journal_reference(bonus_journal().external_reference)
    rows = [r for r in ion_sandbox.sim.journals() if r.reference == reference]
    assert len(rows) == len(bonus_journal().lines), f"{len(rows)} SLJournals rows under {reference}: {outcomes}"
    assert [name for name, _ in outcomes] == [Posted.__name__, Unchanged.__name__], outcomes
    assert outcomes[0][1] == outcomes[1][1]


def test_a_held_posting_lock_keeps_a_second_holder_out(store_engine: Engine) -> None:
    """While one holder has the lock, another gives up after its wait with a message saying what to do."""
    locks = PostingLocks(store_engine, wait_s=0.3)
    with locks.hold("posting:acme:p1"):
        with (
            pytest.raises(PostingLocked, match="replay this payroll"),
            PostingLocks(store_engine, wait_s=0.3).hold("posting:acme:p1"),
        ):
            pass
        with PostingLocks(store_engine, wait_s=0.3).hold("posting:acme:p2"):
            pass  # other payrolls are not blocked
    with locks.hold("posting:acme:p1"):
        pass  # released on exit


def _die_holding(url: str, held: Any) -> None:
    create_store_engine.cache_clear()
    with PostingLocks(create_store_engine(url)).hold("posting:acme:p9"):
        held.set()
        os.kill(os.getpid(), signal.SIGKILL)


def test_a_killed_holder_does_not_block_the_replay(store_engine: Engine) -> None:
    """A run SIGKILLed while holding the lock releases it with its process: the next poster gets it at once."""
    ctx = mp.get_context("fork")
    held = ctx.Event()
    worker = ctx.Process(target=_die_holding, args=(store_engine.url.render_as_string(hide_password=False), held))
    worker.start()
    assert held.wait(timeout=60)
    worker.join(timeout=60)
    assert worker.exitcode == -signal.SIGKILL
    with PostingLocks(store_engine, wait_s=10).hold("posting:acme:p9"):
        pass
