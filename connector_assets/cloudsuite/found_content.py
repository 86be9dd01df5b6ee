"""What CloudSuite holds under a reference, compared with the written-ahead journal: as a multiset of lines,
so a document read back in another order (or with other descriptions) is still the same content."""

from __future__ import annotations

from collections import Counter
from typing import Any

from connector_assets.cloudsuite.types import Journal, JournalLine, PostedJournal


def comparable_lines(lines: tuple[JournalLine, ...]) -> Counter[tuple[str, str, int]]:
    """The lines as a multiset of (account, cost center, signed cents): order and descriptions aside."""
    return Counter((ln.account, ln.cost_center or "", ln.signed_cents) for ln in lines)


def partly_entered(frozen: Journal, found: PostedJournal) -> bool:
    """True when the ERP holds only some of the frozen lines (SyteLine takes one row per request, so a crash
    can leave part of a journal entered); anything else found is compared as a whole."""
    if found.lines is not None:
        have, want = comparable_lines(found.lines), comparable_lines(frozen.lines)
        return have != want and not (have - want)
    return found.line_count < len(frozen.lines)


def lines_json(lines: Counter[tuple[str, str, int]]) -> list[list[Any]]:
    """The multiset as sorted JSON rows [account, cost center, cents, count] for the audit log."""
    return [[account, cc, cents, n] for (account, cc, cents), n in sorted(lines.items())]
