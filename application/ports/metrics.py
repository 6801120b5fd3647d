from __future__ import annotations

from typing import Protocol


class Metrics(Protocol):
    """The counters and histograms operations watch (exposed on /metrics)."""

    def webhook_processed(self, event_type: str, outcome: str, seconds: float) -> None: ...

    def booking_created(self, seconds: float) -> None: ...

    def booking_conflict(self, where: str) -> None: ...

    def lock_timeout(self) -> None: ...

    def subscriber_failed(self, subscriber: str) -> None: ...
