"""When the submitting run looks for a document the ERP creates in the background (M3's voucher job, FSM's
interface run): a short while after submitting, then at a steady short interval until its budget is spent.

The adapter answers "submitted" right after it queued the work (M3's after looking once more), so the first
look waits one interval. A doubling interval (0.1, 0.2, 0.4, 0.8 s) overshoots a document that appears after
about a second by up to as long again; a steady interval overshoots by at most one interval, with no more
look-ups over the first second or two.
"""

from __future__ import annotations

FIRST_LOOK_S = 0.25
LOOK_EVERY_S = 0.25


def look_offsets(budget_s: float) -> list[float]:
    """Seconds after submitting at which to look for the document, none past `budget_s`; one look at 0 when the
    budget is shorter than the first wait, so a run without a budget still reports what it finds."""
    if budget_s < FIRST_LOOK_S:
        return [0.0]
    looks = int((budget_s - FIRST_LOOK_S) / LOOK_EVERY_S + 1e-9) + 1
    return [FIRST_LOOK_S + n * LOOK_EVERY_S for n in range(looks)]
