"""The emails Elope sends to couples, one template per event, and the key that makes each go
out once (one email per booking, or per refunded session, and template). Each has a text body
and an HTML body; every value put into the HTML is escaped, since a couple types their name."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from html import escape
from typing import Any

from application.ports.mail import MailMessage
from domain.events import (
    BookingCanceled,
    BookingPaid,
    BookingRefunded,
    DomainEvent,
    PaidSessionRefunded,
)
from domain.money import CURRENCY
from domain.paid_session import RefundReason


@dataclass(frozen=True)
class CoupleEmail:
    key: str  # one email per key, ever
    message: MailMessage
    session_id: str  # whose timeline records it


def _amount(cents: int) -> str:
    return f"{cents // 100}.{cents % 100:02d}"


def _money_html(cents: int) -> str:
    return f"<strong>{escape(_amount(cents))} {escape(CURRENCY.upper())}</strong>"


def _page(subject: str, *paragraphs: str) -> str:
    """The HTML shell every email shares. `paragraphs` are HTML whose values are escaped."""
    body = "\n".join(f"<p>{p}</p>" for p in paragraphs)
    return (
        '<!DOCTYPE html>\n<html><head><meta charset="utf-8">'
        f"<title>{escape(subject)}</title></head>\n"
        '<body style="font-family: Georgia, serif; color: #333333; line-height: 1.5;'
        ' max-width: 560px; margin: 0 auto; padding: 16px;">\n'
        f"{body}\n</body></html>\n"
    )


def confirmation(event: BookingPaid) -> CoupleEmail:
    key = f"booking:{event.booking_id}:confirmation"
    name, date, ref = escape(event.couple_name), escape(event.event_date), escape(event.booking_id)
    subject = f"Your elopement on {event.event_date} is booked"
    return CoupleEmail(key, session_id=event.session_id, message=MailMessage(
        to=event.email,
        subject=subject,
        text=(
            f"Dear {event.couple_name},\n\n"
            f"your elopement on {event.event_date} is confirmed. We received"
            f" {_amount(event.total_cents)}.\n"
            f"Your booking reference is {event.booking_id}.\n\nWith love,\nElope\n"
        ),
        html=_page(
            subject,
            f"Dear {name},",
            f"your elopement on <strong>{date}</strong> is confirmed. We received"
            f" {_money_html(event.total_cents)}.",
            f"Your booking reference is <strong>{ref}</strong>.",
            "With love,<br>Elope",
        ),
        template="confirmation",
    ))


def cancellation(event: BookingCanceled) -> CoupleEmail:
    key = f"booking:{event.booking_id}:cancellation"
    refunded = ("We have refunded {amount} in full; it reaches your account in a few days."
                if event.refunded_cents else
                "Reply to this email about your payment and we will sort it out with you.")
    name, date, ref = escape(event.couple_name), escape(event.event_date), escape(event.booking_id)
    subject = f"Your elopement on {event.event_date} is canceled"
    return CoupleEmail(key, session_id=event.session_id, message=MailMessage(
        to=event.email,
        subject=subject,
        text=(
            f"Dear {event.couple_name},\n\n"
            f"your booking {event.booking_id} for {event.event_date} has been canceled.\n"
            f"{refunded.format(amount=_amount(event.refunded_cents))}\n\nElope\n"
        ),
        html=_page(
            subject,
            f"Dear {name},",
            f"your booking <strong>{ref}</strong> for <strong>{date}</strong> has been canceled.",
            refunded.format(amount=_money_html(event.refunded_cents)),
            "Elope",
        ),
        template="cancellation",
    ))


def booking_refund(event: BookingRefunded) -> CoupleEmail:
    key = f"booking:{event.booking_id}:refund"
    name, date, ref = escape(event.couple_name), escape(event.event_date), escape(event.booking_id)
    subject = f"Your payment for {event.event_date} is refunded"
    return CoupleEmail(key, session_id=event.session_id, message=MailMessage(
        to=event.email,
        subject=subject,
        text=(
            f"Dear {event.couple_name},\n\n"
            f"the payment of {_amount(event.amount_cents)} for your elopement on"
            f" {event.event_date} (booking {event.booking_id}) has been refunded, and the date"
            " is no longer reserved for you.\nReply to this email if this is not what you"
            " expected.\n\nElope\n"
        ),
        html=_page(
            subject,
            f"Dear {name},",
            f"the payment of {_money_html(event.amount_cents)} for your elopement on"
            f" <strong>{date}</strong> (booking {ref}) has been refunded, and the date is no"
            " longer reserved for you.",
            "Reply to this email if this is not what you expected.",
            "Elope",
        ),
        template="booking_refund",
    ))


# Why a paid session was refunded instead of booked; `{date}` is the date they chose.
_WHY = {
    RefundReason.DATE_TAKEN: "{date} was booked by another couple, or closed, while you were paying",
    RefundReason.PACKAGE_WITHDRAWN: "the package you chose is no longer offered",
    RefundReason.AMOUNT_MISMATCH: (
        "the amount charged was not the price we showed you at checkout (it was a different"
        " amount or currency), so we did not book {date} for you"
    ),
    RefundReason.UNUSABLE_DETAILS: (
        "the details sent with your payment could not be used (a name, email or phone number"
        " with characters we cannot keep), so we could not book {date} for you"
    ),
}
# What the couple can do next, where finding another date is not the answer.
_NEXT = {
    RefundReason.AMOUNT_MISMATCH: "Reply to this email and we will gladly help you book again,"
                                  " at the price we showed you.",
    RefundReason.UNUSABLE_DETAILS: "Reply to this email and we will gladly help you book again.",
}
_FIND_ANOTHER_DATE = "Reply to this email and we will find you another date."


def paid_session_refund(event: PaidSessionRefunded) -> CoupleEmail:
    key = f"session:{event.session_id}:refund"
    reason = RefundReason(event.reason)
    why, next_step = _WHY[reason], _NEXT.get(reason, _FIND_ANOTHER_DATE)
    date, refund_id = escape(event.event_date), escape(event.refund_id)
    subject = f"We could not book {event.event_date} - your payment is refunded"
    return CoupleEmail(key, session_id=event.session_id, message=MailMessage(
        to=event.email,
        subject=subject,
        text=(
            f"Dear {event.couple_name},\n\n"
            f"we are sorry: {why.format(date=event.event_date)}. We have refunded"
            f" {_amount(event.amount_cents)} in full (refund {event.refund_id}); it reaches"
            f" your account in a few days.\n{next_step}\n\nElope\n"
        ),
        html=_page(
            subject,
            f"Dear {escape(event.couple_name)},",
            f"we are sorry: {escape(why).format(date=f'<strong>{date}</strong>')}. We have"
            f" refunded {_money_html(event.amount_cents)} in full (refund {refund_id}); it"
            " reaches your account in a few days.",
            escape(next_step),
            "Elope",
        ),
        template="paid_session_refund",
    ))


# Typed loosely: each template takes its own event type.
TEMPLATES: dict[type[DomainEvent], Callable[[Any], CoupleEmail]] = {
    BookingPaid: confirmation,
    BookingCanceled: cancellation,
    BookingRefunded: booking_refund,
    PaidSessionRefunded: paid_session_refund,
}
