"""The `filter` of Mongoose LoadCollection: a small SQL WHERE-clause subset evaluated over string rows.

Supported: `=`, `<>`, `!=`, `<`, `>`, `<=`, `>=`, `[NOT] LIKE`, `[NOT] IN (...)`, `IS [NOT] NULL`, `AND`, `OR`,
`NOT` and parentheses. Comparisons are case-insensitive (SQL Server's default collation) and numeric when both
sides are numbers.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection
from decimal import Decimal, InvalidOperation

Row = dict[str, str]
Predicate = Callable[[Row], bool]
_TOKEN = re.compile(
    r"\s*(?:(?P<str>N?'(?:[^']|'')*')|(?P<num>-?\d+(?:\.\d+)?)|(?P<op><>|!=|<=|>=|=|<|>)|(?P<punct>[(),])"
    r"|(?P<word>[A-Za-z_][A-Za-z0-9_]*))"
)


class FilterError(ValueError):
    """The filter cannot be parsed or names an unknown property."""


def _tokens(text: str) -> list[tuple[str, str]]:
    out, pos = [], 0
    text = text.rstrip()
    while pos < len(text):
        match = _TOKEN.match(text, pos)
        if match is None or match.end() == pos:
            raise FilterError(f"cannot read filter at position {pos}: {text[pos : pos + 20]!r}")
        kind = match.lastgroup or ""
        value = match.group(kind)
        if kind == "str":
            value = value[value.index("'") + 1 : -1].replace("''", "'")
        out.append((kind, value))
        pos = match.end()
    return out


def _number(value: str) -> Decimal | None:
    try:
        return Decimal(value)
    except (InvalidOperation, ValueError):
        return None


def _compare(left: str, op: str, right: str) -> bool:
    # A padded key (EmpNum '   1001') compares as text, as SQL does: '1001' does not equal '   1001'.
    padded = left != left.strip() or right != right.strip()
    a, b = (None, None) if padded else (_number(left), _number(right))
    lhs: Decimal | str = a if a is not None and b is not None else left.casefold()
    rhs: Decimal | str = b if a is not None and b is not None else right.casefold()
    if op == "=":
        return lhs == rhs
    if op in ("<>", "!="):
        return lhs != rhs
    if isinstance(lhs, Decimal) and isinstance(rhs, Decimal):
        return {"<": lhs < rhs, ">": lhs > rhs, "<=": lhs <= rhs, ">=": lhs >= rhs}[op]
    assert isinstance(lhs, str) and isinstance(rhs, str)
    return {"<": lhs < rhs, ">": lhs > rhs, "<=": lhs <= rhs, ">=": lhs >= rhs}[op]


def _like(pattern: str) -> re.Pattern[str]:
    parts = [".*" if ch == "%" else "." if ch == "_" else re.escape(ch) for ch in pattern]
    return re.compile("".join(parts), re.IGNORECASE | re.DOTALL)


class _Parser:
    def __init__(self, text: str, properties: Collection[str]) -> None:
        self.tokens = _tokens(text)
        self.pos = 0
        self.properties = {p.casefold(): p for p in properties}

    def peek(self, word: str | None = None) -> bool:
        if self.pos >= len(self.tokens):
            return False
        kind, value = self.tokens[self.pos]
        return word is None or value.upper() == word if kind in ("word", "punct", "op") else False

    def take(self, kind: str | None = None) -> str:
        if self.pos >= len(self.tokens):
            raise FilterError("filter ends too early")
        got_kind, value = self.tokens[self.pos]
        if kind and got_kind != kind:
            raise FilterError(f"expected {kind} but found {value!r}")
        self.pos += 1
        return value

    def expect(self, word: str) -> None:
        if not self.peek(word):
            raise FilterError(f"expected {word!r} at token {self.pos + 1}")
        self.pos += 1

    def parse(self) -> Predicate:
        pred = self.or_expr()
        if self.pos != len(self.tokens):
            raise FilterError(f"unexpected {self.tokens[self.pos][1]!r} at token {self.pos + 1}")
        return pred

    def or_expr(self) -> Predicate:
        terms = [self.and_expr()]
        while self.peek("OR"):
            self.pos += 1
            terms.append(self.and_expr())
        return terms[0] if len(terms) == 1 else (lambda row: any(t(row) for t in terms))

    def and_expr(self) -> Predicate:
        terms = [self.not_expr()]
        while self.peek("AND"):
            self.pos += 1
            terms.append(self.not_expr())
        return terms[0] if len(terms) == 1 else (lambda row: all(t(row) for t in terms))

    def not_expr(self) -> Predicate:
        if self.peek("NOT"):
            self.pos += 1
            inner = self.not_expr()
            return lambda row: not inner(row)
        if self.peek("("):
            self.pos += 1
            inner = self.or_expr()
            self.expect(")")
            return inner
        return self.comparison()

    def value(self) -> str:
        if self.pos < len(self.tokens) and self.tokens[self.pos][0] in ("str", "num"):
            return self.take()
        raise FilterError(f"expected a quoted string or a number at token {self.pos + 1}")

    def comparison(self) -> Predicate:
        name = self.take("word")
        prop = self.properties.get(name.casefold())
        if prop is None:
            raise FilterError(f"unknown property {name!r}; known: {sorted(self.properties.values())}")
        negate = self.peek("NOT")
        if negate:
            self.pos += 1
        if self.peek("LIKE"):
            self.pos += 1
            regex = _like(self.value())
            return lambda row: (regex.fullmatch(row.get(prop) or "") is not None) != negate
        if self.peek("IN"):
            self.pos += 1
            self.expect("(")
            values = [self.value()]
            while self.peek(","):
                self.pos += 1
                values.append(self.value())
            self.expect(")")
            return lambda row: any(_compare(row.get(prop) or "", "=", v) for v in values) != negate
        if negate:
            raise FilterError(f"NOT after {name!r} must be followed by LIKE or IN")
        if self.peek("IS"):
            self.pos += 1
            is_not = self.peek("NOT")
            if is_not:
                self.pos += 1
            self.expect("NULL")
            return lambda row: (not row.get(prop)) != is_not
        op = self.take("op")
        right = self.value()
        return lambda row: _compare(row.get(prop) or "", op, right)


def compile_filter(text: str, properties: Collection[str]) -> Predicate:
    """Compile a WHERE-clause `text` over rows whose keys are `properties`; raises FilterError."""
    if not text.strip():
        return lambda row: True
    return _Parser(text, properties).parse()
