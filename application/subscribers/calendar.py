"""Keep the business's calendar in step with bookings: a paid booking blocks its day, a
refund or a cancellation frees it. Both run from the outbox, so a calendar that is down
delays the event in the calendar, never the booking; a failure is retried with back-off."""

from __future__ import annotations

from application.ports.calendar import CalendarProvider
from application.ports.clock import Clock
from application.ports.metrics import Metrics
from application.ports.tracing import Tracing
from application.ports.unit_of_work import UnitOfWorkFactory
from domain.event_date import EventDate
from domain.events import BookingCanceled, BookingPaid, BookingRefunded
from domain.timeline import TimelineEntry, TimelineKind


async def block_calendar_day(
    event: BookingPaid, *, uow: UnitOfWorkFactory, calendar: CalendarProvider,
    metrics: Metrics, clock: Clock, tracing: Tracing,
) -> None:
    """An all-day event on the booking's date, its id kept with the booking. Skipped when
    the booking no longer holds its date or already has its event."""
    async with uow() as tx:
        found = await tx.bookings.with_calendar_event(event.booking_id)
    if found is None or not found[0].holds_its_date or found[1] is not None:
        return
    try:
        with tracing.span("calendar.block", {"booking.id": event.booking_id,
                                             "event.date": event.event_date}):
            event_id = await calendar.block_day(
                EventDate.parse(event.event_date), event.booking_id,
                f"Elopement: {event.couple_name} ({event.booking_id})")
    except Exception:
        metrics.calendar_failed("block")
        raise
    async with uow() as tx, tx.batch():
        # Canceled while the event was being written: its free_calendar_day found no event
        # to remove, so this one removes it. (Read before the writes, so that they leave in
        # one statement; the read still follows the slow calendar call it guards.)
        current = await tx.bookings.get(event.booking_id)
        await tx.bookings.set_calendar_event(event.booking_id, event_id)
        await tx.timeline.add(TimelineEntry(
            event.session_id, clock.now(), TimelineKind.CALENDAR,
            f"calendar day {event.event_date} blocked (event {event_id})", event.correlation_id))
        await tx.commit()
    if current is not None and not current.holds_its_date:
        await _free(event.booking_id, event.session_id, event.correlation_id,
                    uow=uow, calendar=calendar, metrics=metrics, clock=clock, tracing=tracing)


async def free_calendar_day(
    event: BookingCanceled | BookingRefunded, *, uow: UnitOfWorkFactory,
    calendar: CalendarProvider, metrics: Metrics, clock: Clock, tracing: Tracing,
) -> None:
    """Remove the booking's calendar event, if it has one: the day is free again."""
    await _free(event.booking_id, event.session_id, event.correlation_id,
                uow=uow, calendar=calendar, metrics=metrics, clock=clock, tracing=tracing)


async def _free(
    booking_id: str, session_id: str, correlation_id: str, *, uow: UnitOfWorkFactory,
    calendar: CalendarProvider, metrics: Metrics, clock: Clock, tracing: Tracing,
) -> None:
    async with uow() as tx:
        event_id = await tx.bookings.calendar_event(booking_id)
    if event_id is None:
        return
    try:
        with tracing.span("calendar.free", {"booking.id": booking_id}):
            await calendar.free_day(event_id)
    except Exception:
        metrics.calendar_failed("free")
        raise
    async with uow() as tx, tx.batch():
        await tx.bookings.set_calendar_event(booking_id, None)
        await tx.timeline.add(TimelineEntry(
            session_id, clock.now(), TimelineKind.CALENDAR,
            f"calendar event {event_id} removed: the day is free", correlation_id))
        await tx.commit()
