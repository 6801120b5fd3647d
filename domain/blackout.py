"""A date the business does not sell."""

from __future__ import annotations

from dataclasses import dataclass

from domain.event_date import EventDate
from domain.text import storable_text


@dataclass(frozen=True)
class Blackout:
    id: str
    date: EventDate
    reason: str | None

    @classmethod
    def create(cls, id: str, date: EventDate, reason: str | None) -> Blackout:
        # Free text an admin writes: line breaks are kept, other controls refused.
        reason = storable_text(reason or "", "reason", 500, required=False, multiline=True)
        return cls(id=id, date=date, reason=reason or None)
