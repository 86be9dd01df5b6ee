"""Deterministic identifiers and amounts drawn from a seeded random stream."""

from __future__ import annotations

import random


def new_uuid(rng: random.Random) -> str:
    """A version-4 UUID drawn from `rng` (deterministic, unlike uuid.uuid4); same text as uuid.UUID(version=4)."""
    n = rng.getrandbits(128) & ~(0xF000 << 64) | (4 << 76)
    h = f"{n & ~(0xC000 << 48) | (0x8000 << 48):032x}"
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def money_between(rng: random.Random, low: int, high: int, step: int) -> int:
    """Whole dollars in [low, high) in steps of `step`, as integer cents."""
    return rng.randrange(low, high, step) * 100
