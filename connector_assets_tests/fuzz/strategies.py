"""Hypothesis strategies for hostile inputs: odd scalars, nested JSON, and documents with one field replaced."""

from __future__ import annotations

import copy
from typing import Any

from hypothesis import strategies as st

# Values that broke parsers before or tend to: special decimals, bad dates, blank text, huge exponents.
NASTY = st.sampled_from(
    ["nan", "inf", "-Infinity", "sNaN", "1e999999999", "-1e999999999", "1e30", "1.005", "-0", "", " ", "2024-13-45",
     "\x00", "\ud800", "ü", "0x1A", "1_000", "[1]", "{}", "null", "true"]
)  # fmt: skip
SCALARS = st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20) | NASTY
JSON = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=10,
)


def replaced(document: Any, path: tuple[Any, ...], value: Any) -> Any:
    """A deep copy of `document` with the item at `path` set to `value`."""
    out = copy.deepcopy(document)
    node = out
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    return out
