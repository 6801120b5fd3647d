"""The emails Elope sends to couples, one template per event, and the key that makes each go
out once (one email per booking, or per refunded session, and template)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from application.ports.mail import MailMessage
from domain.events import (
    BookingCanceled,
    BookingPaid,
    BookingRefunded,
    DomainEvent,
    PaidSessionRefunded,
)
from domain.paid_session import RefundReason


@dataclass(frozen=True)
class CoupleEmail:
    key: str  # one email per key, ever
    message: MailMessage
    session_id: str  # whose timeline records it


def _amount(cents: int) -> str:
    return f"{cents // 100}.{cents % 100:02d}"


def confirmation(event: BookingPaid) -> CoupleEmail:
    key = f"booking:{event.booking_id}:confirmation"
    return CoupleEmail(key, session_id=event.session_id, message=MailMessage(
        to=event.email,
        subject=f"Your elopement on {event.event_date} is booked",
        text=(
            f"Dear {event.couple_name},\n\n"
            f"your elopement on {event.event_date} is confirmed. We received"
            f" {_amount(event.total_cents)}.\n"
            f"Your booking reference is {event.booking_id}.\n\nWith love,\nElope\n"
        ),
    ))


def cancellation(event: BookingCanceled) -> CoupleEmail:
    key = f"booking:{event.booking_id}:cancellation"
    money = (f"We have refunded {_amount(event.refunded_cents)} in full; it reaches your account"
             " in a few days." if event.refunded_cents else
             "Reply to this email about your payment and we will sort it out with you.")
    return CoupleEmail(key, session_id=event.session_id, message=MailMessage(
        to=event.email,
        subject=f"Your elopement on {event.event_date} is canceled",
        text=(
            f"Dear {event.couple_name},\n\n"
            f"your booking {event.booking_id} for {event.event_date} has been canceled.\n"
            f"{money}\n\nElope\n"
        ),
    ))


def booking_refund(event: BookingRefunded) -> CoupleEmail:
    key = f"booking:{event.booking_id}:refund"
    return CoupleEmail(key, session_id=event.session_id, message=MailMessage(
        to=event.email,
        subject=f"Your payment for {event.event_date} is refunded",
        text=(
            f"Dear {event.couple_name},\n\n"
            f"the payment of {_amount(event.amount_cents)} for your elopement on"
            f" {event.event_date} (booking {event.booking_id}) has been refunded, and the date"
            " is no longer reserved for you.\nReply to this email if this is not what you"
            " expected.\n\nElope\n"
        ),
    ))


_WHY = {
    RefundReason.DATE_TAKEN: "{date} was booked by another couple, or closed, while you were paying",
    RefundReason.PACKAGE_WITHDRAWN: "the package you chose is no longer offered",
}


def paid_session_refund(event: PaidSessionRefunded) -> CoupleEmail:
    key = f"session:{event.session_id}:refund"
    why = _WHY[RefundReason(event.reason)].format(date=event.event_date)
    return CoupleEmail(key, session_id=event.session_id, message=MailMessage(
        to=event.email,
        subject=f"We could not book {event.event_date} - your payment is refunded",
        text=(
            f"Dear {event.couple_name},\n\n"
            f"we are sorry: {why}. We have refunded {_amount(event.amount_cents)} in full"
            f" (refund {event.refund_id}); it reaches your account in a few days.\n"
            "Reply to this email and we will find you another date.\n\nElope\n"
        ),
    ))


# Typed loosely: each template takes its own event type.
TEMPLATES: dict[type[DomainEvent], Callable[[Any], CoupleEmail]] = {
    BookingPaid: confirmation,
    BookingCanceled: cancellation,
    BookingRefunded: booking_refund,
    PaidSessionRefunded: paid_session_refund,
}
