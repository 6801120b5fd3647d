"""A paid booking of one date. Its status only moves forward: PAID -> REFUNDED / CANCELED."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import StrEnum

from domain.errors import Conflict
from domain.event_date import EventDate
from domain.events import BookingCanceled, BookingPaid, BookingRefunded, DomainEvent
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
    # The journey id: the correlation id of the checkout that led to this booking.
    correlation_id: str = ""
    events: list[DomainEvent] = field(default_factory=list, compare=False, repr=False)

    @property
    def holds_its_date(self) -> bool:
        return self.status is BookingStatus.PAID

    def record_paid(self) -> None:
        """The booking was just made from a payment: the couple is to be told."""
        self.events.append(BookingPaid(
            correlation_id=self.correlation_id, booking_id=self.id, session_id=self.session_id,
            event_date=str(self.event_date), email=self.email, couple_name=self.couple_name,
            total_cents=self.total.cents,
        ))

    def mark_refunded(self) -> None:
        """A refund seen at the provider. Idempotent; never moves a booking backwards."""
        if self.status is not BookingStatus.PAID:
            return
        self.status = BookingStatus.REFUNDED
        self.events.append(BookingRefunded(
            correlation_id=self.correlation_id, booking_id=self.id, session_id=self.session_id,
            event_date=str(self.event_date), email=self.email, couple_name=self.couple_name,
            amount_cents=self.total.cents,
        ))

    def cancel(self, *, refund: bool) -> None:
        """Canceled by the business; `refund` when the payment was returned with it."""
        self.check_cancelable(refund=refund)
        self.status = BookingStatus.CANCELED
        self.events.append(BookingCanceled(
            correlation_id=self.correlation_id, booking_id=self.id, session_id=self.session_id,
            event_date=str(self.event_date), email=self.email, couple_name=self.couple_name,
            refunded_cents=self.total.cents if refund else 0,
        ))

    def check_cancelable(self, *, refund: bool = False) -> None:
        """Refuses what `cancel` would refuse, before any money moves."""
        if self.status is not BookingStatus.PAID:
            raise Conflict(f"booking {self.id} is already {self.status.value}")
        if refund and self.payment_intent_id is None:
            raise Conflict("this booking has no payment to refund")
