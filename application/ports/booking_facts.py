"""What booking a paid session depends on, read in one go under the date's lock."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from domain.catalog import Package
from domain.event_date import EventDate


@dataclass(frozen=True)
class BookingFacts:
    # The session made a booking already, whatever became of it since.
    booked_by_session: bool
    # Some PAID booking holds the date.
    date_booked: bool
    blackout: bool
    # With its add-ons; None when it was deleted.
    package: Package | None
    # A `charge.refunded` for the payment arrived before its booking (see early_refunds).
    refunded_early: bool


class BookingFactsReader(Protocol):
    """One read where the repositories would take four: the booking path's round trips are
    most of its cost."""

    async def for_paid_session(
        self, session_id: str, date: EventDate, package_id: str, payment_intent_id: str | None,
    ) -> BookingFacts: ...
