from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Protocol

_UNITS = {"second": 1, "minute": 60, "hour": 3600}
_RATE = re.compile(r"^\s*(\d+)\s*/\s*(second|minute|hour)\s*$", re.IGNORECASE)


@dataclass(frozen=True)
class RateLimit:
    """`amount` hits per `seconds`, counted per key under `name` (one budget per purpose)."""

    name: str
    amount: int
    seconds: int


def parse_rate(text: str, name: str) -> RateLimit:
    """`10/minute` -> RateLimit(name, 10, 60); ValueError says what is expected."""
    match = _RATE.match(text)
    if match is None or int(match.group(1)) < 1:
        raise ValueError(f"'{text}' is not a rate: expected N/second, N/minute or N/hour, N >= 1")
    return RateLimit(name, int(match.group(1)), _UNITS[match.group(2).lower()])


class RateLimiter(Protocol):
    """Counts hits per key in fixed windows of `limit.seconds`, shared by every instance that
    shares the storage (PostgreSQL in the real preset, the process in the mock one)."""

    async def hit(self, limit: RateLimit, key: str) -> float | None:
        """Count one hit. None while the window's hits are within `limit.amount`; past it,
        the seconds until the window ends (when the key gets a fresh budget)."""

    async def blocked_for(self, limit: RateLimit, key: str) -> float | None:
        """Without counting: the seconds until one more hit would be allowed, or None now."""
