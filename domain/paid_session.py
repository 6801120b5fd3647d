"""A checkout session the payment provider reports paid. It becomes exactly one booking - or,
when that cannot be, a refund, and the couple is told why."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum

from domain.booking import BookedAddOn, Booking, BookingStatus
from domain.catalog import AddOn
from domain.event_date import EventDate
from domain.events import DomainEvent, PaidSessionRefunded
from domain.money import CURRENCY, Money


class RefundReason(StrEnum):
    # The date was booked, or blacked out, between checkout and payment.
    DATE_TAKEN = "date_taken"
    # The package was deleted after its hold lapsed, before the late payment arrived.
    PACKAGE_WITHDRAWN = "package_withdrawn"
    # The provider charged another amount or currency than checkout priced.
    AMOUNT_MISMATCH = "amount_mismatch"
    # The session's metadata cannot be used (text PostgreSQL cannot store, a malformed field)
    # although Elope's own checkout held the date for it: no retry would ever book it.
    UNUSABLE_DETAILS = "unusable_details"


@dataclass
class PaidSession:
    session_id: str
    package_id: str
    event_date: EventDate
    email: str
    couple_name: str
    phone: str | None
    amount: Money
    payment_intent_id: str | None
    # The booking journey: the checkout's correlation id, which the booking and its events
    # keep, whatever request or job turns the payment into a booking.
    journey_id: str
    add_on_ids: tuple[str, ...] = ()
    # Unit prices captured at checkout, one per add-on id (empty for a session that predates
    # them: today's catalog prices are used then).
    add_on_prices: tuple[Money, ...] = ()
    # What checkout priced (None: the session does not say) and the currency charged in.
    priced: Money | None = None
    currency: str = CURRENCY
    events: list[DomainEvent] = field(default_factory=list, compare=False, repr=False)

    def price_mismatch(self) -> str | None:
        """Why the charge differs from the checkout's price, or None when it does not. Such
        a session is never booked: what was charged is refunded."""
        priced = self.priced if self.priced is not None else self.amount
        if self.amount == priced and self.currency == CURRENCY:
            return None
        return (f"charged {self.amount.cents} {self.currency}, checkout priced"
                f" {priced.cents} {CURRENCY}")

    def booked_add_ons(self, catalog: Iterable[AddOn]) -> tuple[BookedAddOn, ...]:
        """The add-ons as sold: titles from the catalog, prices as captured at checkout."""
        current = {a.id: a for a in catalog}
        booked = []
        for i, add_on_id in enumerate(self.add_on_ids):
            add_on = current.get(add_on_id)
            title = add_on.title if add_on else "(add-on no longer offered)"
            if self.add_on_prices:
                price = self.add_on_prices[i]
            elif add_on is not None:
                price = add_on.price
            else:
                price = Money.zero()
            booked.append(BookedAddOn(add_on_id, title, price))
        return tuple(booked)

    def book(
        self, booking_id: str, add_ons: tuple[BookedAddOn, ...], now: dt.datetime, *,
        already_refunded: bool,
    ) -> Booking:
        """The booking this payment makes. A refund the provider reported before the booking
        existed makes it REFUNDED at once: the couple hears of the refund, not of a booking."""
        booking = Booking(
            id=booking_id, package_id=self.package_id, couple_name=self.couple_name,
            email=self.email, phone=self.phone, event_date=self.event_date, add_ons=add_ons,
            total=self.amount, status=BookingStatus.PAID, created_at=now,
            session_id=self.session_id, payment_intent_id=self.payment_intent_id,
            correlation_id=self.journey_id,
        )
        if already_refunded:
            booking.mark_refunded()
        else:
            booking.record_paid()
        return booking

    def refunded(self, refund_id: str, reason: RefundReason) -> None:
        """The payment went back because it could not be booked."""
        self.events.append(PaidSessionRefunded(
            correlation_id=self.journey_id, session_id=self.session_id,
            event_date=str(self.event_date), email=self.email, couple_name=self.couple_name,
            amount_cents=self.amount.cents, refund_id=refund_id, reason=reason.value,
        ))
