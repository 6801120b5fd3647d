"""CancelBooking."""

from __future__ import annotations

from application.commands import CancelBooking
from application.ids import new_id
from application.ports.clock import Clock
from application.ports.payment import PaymentProvider
from application.ports.unit_of_work import UnitOfWorkFactory
from application.serial_lanes import SerialLanes
from domain.booking import Booking
from domain.errors import Conflict, NotFound
from domain.timeline import TimelineEntry, TimelineKind


async def cancel_booking(
    command: CancelBooking, *, uow: UnitOfWorkFactory, payments: PaymentProvider,
    lanes: SerialLanes, clock: Clock,
) -> Booking:
    """Cancel a PAID booking and free its date; refund it through the provider when asked.
    The refund goes first under a key tied to the booking, so a retry never pays twice."""
    async with uow() as tx:
        found = await tx.bookings.get(command.booking_id)
    if found is None:
        raise NotFound(f"no booking '{command.booking_id}'")
    async with lanes.turn(f"date:{found.event_date}"):
        async with uow() as tx:
            booking = await tx.bookings.get(command.booking_id)
            if booking is None:
                raise NotFound(f"no booking '{command.booking_id}'")
            booking.cancel(refund=command.refund)  # refuses a booking that is not PAID
        refund_note = ""
        if command.refund:
            if booking.payment_intent_id is None:
                raise Conflict("this booking has no payment to refund")
            refund_id = await payments.refund(
                booking.payment_intent_id, booking.total.cents, f"cancel:{booking.id}")
            refund_note = f", refunded {booking.total.cents} cents ({refund_id})"
        async with uow() as tx:
            await tx.lock_date(booking.event_date)
            current = await tx.bookings.get(booking.id)
            if current is None or not current.holds_its_date:
                raise Conflict(f"booking {booking.id} changed meanwhile")
            now = clock.now()
            await tx.bookings.save_status(booking)
            await tx.timeline.add(TimelineEntry(
                booking.session_id, now, TimelineKind.STATUS,
                f"canceled by admin{refund_note}", command.correlation_id))
            for event in booking.events:
                await tx.outbox.add(new_id("msg"), event, now)
            await tx.commit()
    booking.events.clear()
    return booking
