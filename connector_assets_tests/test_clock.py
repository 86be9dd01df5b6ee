"""One calendar: `CONNECTOR_TODAY` pins the connector's clock and the sandbox's alike; nothing else reads the date."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from connector_assets import clock
from connector_assets.sandbox import clock as sandbox_clock
from connector_assets.store.vault import utcnow

PACKAGE = Path(clock.__file__).resolve().parent
CLOCKS = {PACKAGE / "clock.py", PACKAGE / "sandbox" / "clock.py"}
READS_THE_DATE = re.compile(r"\b(date\.today|datetime\.(now|utcnow|today))\(")


@pytest.mark.parametrize("day", ["2028-02-29", "2026-11-30", "2029-01-01"])
def test_both_clocks_show_the_pinned_day(day: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """The connector, its store and the sandbox read one day; the time of day stays real (durations hold)."""
    monkeypatch.setenv("CONNECTOR_TODAY", day)
    pinned = date.fromisoformat(day)
    assert clock.today() == sandbox_clock.today() == utcnow().date() == pinned
    real = datetime.now(UTC)
    for now in (clock.now(), sandbox_clock.now()):
        assert now.tzinfo is not None
        assert abs((now - real) - timedelta(days=(pinned - real.date()).days)) < timedelta(seconds=5)


def test_unset_means_the_real_date(monkeypatch: pytest.MonkeyPatch) -> None:
    """Production sets nothing: both clocks are the real clock."""
    monkeypatch.delenv("CONNECTOR_TODAY")
    real = datetime.now(UTC)
    assert abs(clock.now() - real) < timedelta(seconds=5) and abs(sandbox_clock.now() - real) < timedelta(
        seconds=5
    )


def test_a_malformed_day_is_refused_with_the_fix(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CONNECTOR_TODAY", "30/11/2026")
    for read in (clock.today, sandbox_clock.today):
        with pytest.raises(ValueError, match="YYYY-MM-DD"):
            read()


def test_the_suite_runs_on_a_pinned_day(pinned_today: date) -> None:
    """conftest pins the day before any product import, so the fixtures' history is the same every day."""
    assert clock.today() == sandbox_clock.today() == pinned_today


def test_only_the_clocks_read_the_date() -> None:
    """Every other module takes "today" and "now" from a clock (or as a parameter)."""
    offenders = [
        f"{path.relative_to(PACKAGE.parent)}:{n}"
        for path in sorted(PACKAGE.rglob("*.py"))
        if path not in CLOCKS
        for n, line in enumerate(path.read_text().splitlines(), 1)
        if READS_THE_DATE.search(line)
    ]
    assert not offenders, offenders
