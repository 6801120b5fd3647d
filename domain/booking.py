"""A paid booking of one date. Its status only moves forward: PAID -> REFUNDED / CANCELED."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import StrEnum

from domain.errors import Conflict
from domain.event_date import EventDate
from domain.events import BookingCanceled, BookingRefunded, DomainEvent
from domain.money import Money


class BookingStatus(StrEnum):
    PAID = "PAID"
    REFUNDED = "REFUNDED"
    CANCELED = "CANCELED"


@dataclass(frozen=True)
class BookedAddOn:
    """An add-on as it was sold: its title and unit price at checkout time."""

    add_on_id: str
    title: str
    unit_price: Money


@dataclass
class Booking:
    id: str
    package_id: str
    couple_name: str
    email: str
    phone: str | None
    event_date: EventDate
    add_ons: tuple[BookedAddOn, ...]
    total: Money
    status: BookingStatus
    created_at: dt.datetime
    session_id: str
    payment_intent_id: str | None
    correlation_id: str = ""
    events: list[DomainEvent] = field(default_factory=list, compare=False, repr=False)

    @property
    def holds_its_date(self) -> bool:
        return self.status is BookingStatus.PAID

    def mark_refunded(self) -> None:
        """A refund seen at the provider. Idempotent; never moves a booking backwards."""
        if self.status is not BookingStatus.PAID:
            return
        self.status = BookingStatus.REFUNDED
        self.events.append(BookingRefunded(
            booking_id=self.id, event_date=str(self.event_date),
            correlation_id=self.correlation_id,
        ))

    def cancel(self, *, refund: bool) -> None:
        if self.status is not BookingStatus.PAID:
            raise Conflict(f"booking {self.id} is already {self.status.value}")
        self.status = BookingStatus.CANCELED
        self.events.append(BookingCanceled(
            booking_id=self.id, event_date=str(self.event_date), refunded=refund,
            correlation_id=self.correlation_id,
        ))
