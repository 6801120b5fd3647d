"""The emails Elope sends, and the key that makes each one go out once."""

from __future__ import annotations

from application.ports.mail import MailMessage
from domain.events import BookingPaid, PaidDateConflictRefunded


def _amount(cents: int) -> str:
    return f"{cents // 100}.{cents % 100:02d}"


def confirmation(event: BookingPaid) -> tuple[str, MailMessage]:
    key = f"booking:{event.booking_id}:confirmation"
    return key, MailMessage(
        to=event.email,
        subject=f"Your elopement on {event.event_date} is booked",
        text=(
            f"Dear {event.couple_name},\n\n"
            f"your elopement on {event.event_date} is confirmed. We received"
            f" {_amount(event.total_cents)}.\n"
            f"Your booking reference is {event.booking_id}.\n\nWith love,\nElope\n"
        ),
    )


def conflict_refund(event: PaidDateConflictRefunded) -> tuple[str, MailMessage]:
    key = f"session:{event.session_id}:conflict-refund"
    return key, MailMessage(
        to=event.email,
        subject=f"{event.event_date} was no longer available - your payment is refunded",
        text=(
            f"Dear {event.couple_name},\n\n"
            f"we are sorry: {event.event_date} was booked by another couple while you were"
            f" paying. We have refunded {_amount(event.amount_cents)} in full"
            f" (refund {event.refund_id}); it reaches your account in a few days.\n"
            "Reply to this email and we will find you another date.\n\nElope\n"
        ),
    )
