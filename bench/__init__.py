"""Benchmarks (`python -m bench`): each prints one JSON line per figure, with the machine's cores and load."""

from bench._machine import default_signals

# Every benchmark process starts with default signal handling, whoever launched it.
default_signals()
