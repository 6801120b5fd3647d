from __future__ import annotations

from typing import Protocol

from domain.blackout import Blackout
from domain.event_date import EventDate


class BlackoutRepository(Protocol):
    """Dates not for sale. One blackout per date."""

    async def list_all(self) -> list[Blackout]:
        """Every blackout, by date."""

    async def add(self, blackout: Blackout) -> None:
        """Raises `Conflict` when the date already has a blackout."""

    async def get(self, blackout_id: str) -> Blackout | None: ...

    async def remove(self, blackout_id: str) -> None: ...

    async def dates_between(self, start: EventDate, end: EventDate) -> set[EventDate]: ...
