from __future__ import annotations

from typing import Protocol

from domain.timeline import TimelineEntry


class TimelineRepository(Protocol):
    """Append-only history of a checkout session and the booking it became."""

    async def add(self, entry: TimelineEntry) -> None:
        """Append `entry`; one without a trace id gets the trace of the work adding it."""

    async def for_session(self, session_id: str) -> list[TimelineEntry]:
        """Entries in the order they happened."""
