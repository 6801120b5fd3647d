"""A date the business does not sell."""

from __future__ import annotations

from dataclasses import dataclass

from domain.errors import ValidationFailed
from domain.event_date import EventDate


@dataclass(frozen=True)
class Blackout:
    id: str
    date: EventDate
    reason: str | None

    @classmethod
    def create(cls, id: str, date: EventDate, reason: str | None) -> Blackout:
        reason = (reason or "").strip() or None
        if reason is not None and len(reason) > 500:
            raise ValidationFailed("reason must be at most 500 characters")
        return cls(id=id, date=date, reason=reason)
