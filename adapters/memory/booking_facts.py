"""The booking facts of the mock preset, from its tables."""

from __future__ import annotations

from adapters.memory.packages import MemoryPackageRepository
from adapters.memory.store import MemoryStore
from application.ports.booking_facts import BookingFacts
from domain.event_date import EventDate


class MemoryBookingFacts:
    def __init__(self, store: MemoryStore) -> None:
        self._store = store

    async def for_paid_session(
        self, session_id: str, date: EventDate, package_id: str, payment_intent_id: str | None,
    ) -> BookingFacts:
        bookings = self._store.bookings.values()
        return BookingFacts(
            booked_by_session=any(b.session_id == session_id for b in bookings),
            date_booked=any(b.holds_its_date and b.event_date == date for b in bookings),
            blackout=any(b.date == date for b in self._store.blackouts.values()),
            package=await MemoryPackageRepository(self._store).get(package_id),
            refunded_early=payment_intent_id in self._store.early_refunds,
        )
