"""LoadCollection ordering, `recordcap` and bookmark paging (`loadtype` FIRST/NEXT/PREV/LAST)."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import cmp_to_key

Row = dict[str, str]
Entry = tuple[str, Row]  # (_ItemId, row)
ALL_ROWS_CAP = 200  # recordcap -1 means 200 rows, not all (reference §7.1)


class PagingError(ValueError):
    """A bad orderby, recordcap, loadtype or bookmark."""


def record_cap(raw: str | None) -> int | None:
    """-1 (or absent) -> 200, 0 -> all (None), N -> N."""
    text = (raw or "-1").strip()
    if not re.fullmatch(r"-?\d+", text) or int(text) < -1:
        raise PagingError(f"recordcap {text!r} must be -1 (200 rows), 0 (all rows) or a positive number")
    value = int(text)
    return ALL_ROWS_CAP if value == -1 else (None if value == 0 else value)


def parse_orderby(text: str, properties: list[str]) -> list[tuple[str, bool]]:
    """`"Acct DESC, Description"` -> [("Acct", True), ("Description", False)]."""
    known = {p.casefold(): p for p in properties}
    out = []
    for part in filter(None, (p.strip() for p in text.split(","))):
        words = part.split()
        prop = known.get(words[0].casefold())
        if prop is None or len(words) > 2 or (len(words) == 2 and words[1].upper() not in ("ASC", "DESC")):
            raise PagingError(f"orderby term {part!r} is not '<property> [ASC|DESC]' over {properties}")
        out.append((prop, len(words) == 2 and words[1].upper() == "DESC"))
    return out


def _value(text: str) -> tuple[int, Decimal | str]:
    try:
        return (0, Decimal(text))
    except (InvalidOperation, ValueError):
        return (1, text.casefold())


@dataclass
class Ordering:
    """A total order over entries: the order columns, then `_ItemId` as the tie breaker."""

    columns: list[tuple[str, bool]]

    def values(self, entry: Entry) -> list[str]:
        return [entry[1].get(prop, "") for prop, _ in self.columns] + [entry[0]]

    def compare(self, a: list[str], b: list[str]) -> int:
        for index, (x, y) in enumerate(zip(a, b, strict=True)):
            desc = index < len(self.columns) and self.columns[index][1]
            vx, vy = _value(x), _value(y)
            if vx != vy:
                result = -1 if vx < vy else 1
                return -result if desc else result
        return 0

    def sort(self, entries: list[Entry]) -> list[Entry]:
        def by_order(a: Entry, b: Entry) -> int:
            return self.compare(self.values(a), self.values(b))

        return sorted(entries, key=cmp_to_key(by_order))


def make_bookmark(ordering: Ordering, page: list[Entry]) -> str:
    """An opaque bookmark in Mongoose's `<B>...</B>` style carrying the first and last row of the page."""
    if not page:
        return ""

    def values(entry: Entry) -> str:
        return "".join(f"<v>{html.escape(v)}</v>" for v in ordering.values(entry))

    props = "".join(f"<p>{html.escape(p)}</p>" for p, _ in ordering.columns)
    desc = "".join(f"<f>{str(d).lower()}</f>" for _, d in ordering.columns)
    return f"<B><P>{props}</P><D>{desc}</D><F>{values(page[0])}</F><L>{values(page[-1])}</L></B>"


def _bookmark_values(bookmark: str, part: str, ordering: Ordering) -> list[str]:
    match = re.search(rf"<{part}>(.*?)</{part}>", bookmark, re.DOTALL)
    values = [html.unescape(v) for v in re.findall(r"<v>(.*?)</v>", match.group(1), re.DOTALL)] if match else []
    if len(values) != len(ordering.columns) + 1:
        raise PagingError("bookmark does not belong to this query (same properties, filter and orderby); "
                          "start again without loadtype/bookmark")  # fmt: skip
    return values


def page(
    ordering: Ordering, entries: list[Entry], cap: int | None, loadtype: str, bookmark: str
) -> tuple[list[Entry], bool]:
    """Select one page; returns (rows, more_rows_exist)."""
    ordered = ordering.sort(entries)
    kind = (loadtype or "FIRST").upper()
    if kind in ("NEXT", "PREV") and not bookmark:
        raise PagingError(f"loadtype {kind} needs the bookmark of the previous response")
    if kind == "NEXT":
        last = _bookmark_values(bookmark, "L", ordering)
        ordered = [e for e in ordered if ordering.compare(ordering.values(e), last) > 0]
    elif kind == "PREV":
        first = _bookmark_values(bookmark, "F", ordering)
        ordered = [e for e in ordered if ordering.compare(ordering.values(e), first) < 0]
    elif kind not in ("FIRST", "LAST"):
        raise PagingError(f"loadtype {loadtype!r} must be FIRST, NEXT, PREV or LAST")
    if cap is None or len(ordered) <= cap:
        return ordered, False
    if kind in ("PREV", "LAST"):
        return ordered[-cap:], True
    return ordered[:cap], True
