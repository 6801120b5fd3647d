"""Event subscribers. Each is idempotent: the outbox may deliver an event more than once."""

from __future__ import annotations

from application.mail.templates import confirmation, conflict_refund
from application.messaging.event_publisher import Subscriber
from application.ports.calendar import CalendarProvider
from application.ports.clock import Clock
from application.ports.mail import Mailer, MailMessage
from application.ports.unit_of_work import UnitOfWorkFactory
from domain.event_date import EventDate
from domain.events import BookingPaid, DomainEvent, PaidDateConflictRefunded
from domain.timeline import TimelineEntry, TimelineKind


class EmailOnce:
    """Sends an email unless the sent-mail log already has its key."""

    def __init__(self, uow: UnitOfWorkFactory, mailer: Mailer, clock: Clock) -> None:
        self._uow = uow
        self._mailer = mailer
        self._clock = clock

    async def send(self, key: str, message: MailMessage, session_id: str | None,
                   correlation_id: str) -> None:
        async with self._uow() as tx:
            if await tx.sent_mail.was_sent(key):
                return
        await self._mailer.send(message, key)
        async with self._uow() as tx:
            now = self._clock.now()
            await tx.sent_mail.record(key, now)
            if session_id:
                await tx.timeline.add(TimelineEntry(
                    session_id, now, TimelineKind.EMAIL,
                    f"email '{message.subject}' sent to {message.to}", correlation_id))
            await tx.commit()


def booking_subscribers(
    uow: UnitOfWorkFactory, mailer: Mailer, calendar: CalendarProvider, clock: Clock,
) -> dict[type[DomainEvent], list[Subscriber]]:
    """EVENT_HANDLERS: for each event type, the subscribers that react to it."""
    email = EmailOnce(uow, mailer, clock)

    async def send_booking_confirmation(event: DomainEvent) -> None:
        assert isinstance(event, BookingPaid)
        key, message = confirmation(event)
        async with uow() as tx:
            booking = await tx.bookings.get(event.booking_id)
        await email.send(key, message, booking.session_id if booking else None,
                         event.correlation_id)

    async def mark_calendar_busy(event: DomainEvent) -> None:
        assert isinstance(event, BookingPaid)
        await calendar.mark_busy(EventDate.parse(event.event_date), event.booking_id)

    async def send_conflict_refund_notice(event: DomainEvent) -> None:
        assert isinstance(event, PaidDateConflictRefunded)
        key, message = conflict_refund(event)
        await email.send(key, message, event.session_id, event.correlation_id)

    return {
        BookingPaid: [send_booking_confirmation, mark_calendar_busy],
        PaidDateConflictRefunded: [send_conflict_refund_notice],
    }
