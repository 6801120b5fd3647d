"""Failed-login counting in process memory, over a moving window (the `limits` library)."""

from __future__ import annotations

from limits import RateLimitItemPerSecond
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter


class MemoryLoginThrottle:
    """Blocks a client once `max_failures` failures fall inside the last `window_seconds`.

    Per process: with several API processes each counts alone, so the real limit is up to
    N times higher.
    """

    def __init__(self, max_failures: int = 5, window_seconds: int = 900) -> None:
        self._limit = RateLimitItemPerSecond(max_failures, window_seconds, namespace="login")
        self._limiter = MovingWindowRateLimiter(MemoryStorage())

    def is_blocked(self, client: str) -> bool:
        # `test` asks whether one more hit would fit, without recording it.
        return not self._limiter.test(self._limit, client)

    def record_failure(self, client: str) -> None:
        self._limiter.hit(self._limit, client)
