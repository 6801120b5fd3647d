"""CancelBooking."""

from __future__ import annotations

import logging

from application.commands import CancelBooking
from application.messaging.outbox_writer import write_to_outbox
from application.ports.clock import Clock
from application.ports.metrics import Metrics
from application.ports.payment import PaymentProvider
from application.ports.tracing import Tracing
from application.ports.unit_of_work import UnitOfWorkFactory
from application.serial_lanes import SerialLanes
from application.transactions import with_retries
from domain.booking import Booking
from domain.errors import DateBusy, NotFound, TransientFailure
from domain.timeline import TimelineEntry, TimelineKind

log = logging.getLogger("elope.bookings")


async def cancel_booking(
    command: CancelBooking, *, uow: UnitOfWorkFactory, payments: PaymentProvider,
    lanes: SerialLanes, clock: Clock, tracing: Tracing, metrics: Metrics,
) -> Booking:
    """Cancel a PAID booking and free its date; refund it through the provider when asked.

    The refund goes first, under a key tied to the booking, so a repeated cancel never pays
    twice. Once money has moved, a date busy with another request is waited out (retried),
    not answered with a 409 that would leave a refunded booking PAID.
    """
    async with uow() as tx:
        found = await tx.bookings.get(command.booking_id)
    if found is None:
        raise NotFound(f"no booking '{command.booking_id}'")
    found.check_cancelable(refund=command.refund)
    with tracing.journey(found.correlation_id):
        booking = await _cancel(command, found, uow, payments, lanes, clock, tracing,
                                metrics)
    log.info("booking %s canceled by admin%s", booking.id,
             ", refunded" if command.refund else "")
    return booking


async def _cancel(
    command: CancelBooking, found: Booking, uow: UnitOfWorkFactory, payments: PaymentProvider,
    lanes: SerialLanes, clock: Clock, tracing: Tracing, metrics: Metrics,
) -> Booking:
    async with lanes.turn(f"date:{found.event_date}"):
        note = "canceled by admin"
        if command.refund and found.payment_intent_id is not None:
            with tracing.span("refund", {"refund.reason": "canceled_by_admin",
                                         "booking.id": found.id}):
                refund_id = await payments.refund(
                    found.payment_intent_id, found.total.cents, f"refund:{found.id}")
            metrics.refund_issued("admin_cancel")
            note += f", refunded {found.total.cents} cents ({refund_id})"

        async def cancel_once() -> Booking:
            async with uow() as tx:
                await tx.lock_date(found.event_date)
                booking = await tx.bookings.get(found.id)
                if booking is None:
                    raise NotFound(f"no booking '{found.id}'")
                booking.cancel(refund=command.refund)  # a booking no longer PAID: Conflict
                now = clock.now()
                await tx.bookings.save_status(booking)
                await tx.timeline.add(TimelineEntry(
                    booking.session_id, now, TimelineKind.STATUS, note, command.correlation_id))
                await write_to_outbox(tx, booking.events, now)
                await tx.commit()
            return booking

        try:
            return await with_retries(cancel_once)
        except DateBusy:
            raise TransientFailure("the date stayed busy; cancel again - any refund already"
                                   " issued will not be paid twice") from None
