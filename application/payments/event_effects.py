"""What each verified Stripe event type does. Every effect settles the inbox record inside
the transaction that makes it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from application.messaging.outbox_writer import write_to_outbox
from application.payments.paid_session import Claim, PaidSessionCompleter, Settle
from application.ports.clock import Clock
from application.ports.payment import VerifiedEvent
from application.ports.tracing import Tracing
from application.ports.unit_of_work import UnitOfWork, UnitOfWorkFactory
from domain.booking import Booking
from domain.timeline import TimelineEntry, TimelineKind

PAID_EVENTS = ("checkout.session.completed", "checkout.session.async_payment_succeeded")


class StripeEventEffects:
    def __init__(self, uow: UnitOfWorkFactory, completer: PaidSessionCompleter,
                 clock: Clock, tracing: Tracing) -> None:
        self._uow = uow
        self._completer = completer
        self._clock = clock
        self._tracing = tracing

    @staticmethod
    def books(event: VerifiedEvent) -> bool:
        """Whether the event pays for a session: its effect is a booking (or a refund)."""
        return (event.event_type in PAID_EVENTS
                and event.data_object.get("payment_status") == "paid")

    async def apply(
        self, event: VerifiedEvent, correlation_id: str, settle: Settle,
        claim: Claim | None = None,
    ) -> str:
        """Do what the event means; returns a short word for logs and metrics. `claim` is
        honoured by the events that `books`."""
        obj = event.data_object
        if self.books(event):
            return (await self._completer.complete(obj, correlation_id, settle, claim)).value
        if event.event_type == "checkout.session.expired":
            return await self._release_hold(obj, correlation_id, settle)
        if event.event_type == "charge.refunded":
            return await self._refund_booking(obj, correlation_id, settle)
        # Unpaid completions (async payment pending) and every other type: recorded only.
        async with self._uow() as tx:
            await settle(tx, "ignored", False)
            await tx.commit()
        return "ignored"

    async def _release_hold(
        self, session: Mapping[str, Any], correlation_id: str, settle: Settle,
    ) -> str:
        session_id = str(session.get("id") or "")
        async with self._uow() as tx:
            now = self._clock.now()
            released = await tx.holds.release(session_id, now) if session_id else None
            if released is not None:
                await tx.timeline.add(TimelineEntry(
                    session_id, now, TimelineKind.HOLD,
                    f"session expired: hold on {released.event_date} released", correlation_id))
            outcome = "hold_released" if released else "no_hold"
            await settle(tx, outcome, False)
            await tx.commit()
        return outcome

    async def _refund_booking(
        self, charge: Mapping[str, Any], correlation_id: str, settle: Settle,
    ) -> str:
        payment_intent = str(charge.get("payment_intent") or "")
        async with self._uow() as tx:
            booking = await tx.bookings.by_payment_intent(payment_intent) if payment_intent else None
            partial = _partial_refund(charge)
            if partial is not None:
                # Money went back, but not all of it: the couple keeps the booking and the date.
                if booking is not None:
                    await tx.timeline.add(TimelineEntry(
                        booking.session_id, self._clock.now(), TimelineKind.REFUND,
                        f"partial refund at the provider: {partial}; booking unchanged",
                        correlation_id))
                outcome = "partial_refund_recorded"
            elif booking is None:
                # Order is not guaranteed: keep the refund until its booking appears.
                if payment_intent:
                    await tx.early_refunds.remember(payment_intent)
                outcome = "refund_kept_for_later"
            else:
                # A charge names no checkout: the booking it refunds tells whose journey it is.
                with self._tracing.journey(booking.correlation_id):
                    await self._mark_refunded(tx, booking, correlation_id)
                outcome = "booking_refunded"
            await settle(tx, outcome, False)
            await tx.commit()
        return outcome

    async def _mark_refunded(self, tx: UnitOfWork, booking: Booking, correlation_id: str) -> None:
        booking.mark_refunded()
        if not booking.events:
            return  # already REFUNDED or CANCELED: a status only moves forward
        now = self._clock.now()
        await tx.bookings.save_status(booking)
        await tx.timeline.add(TimelineEntry(
            booking.session_id, now, TimelineKind.STATUS,
            "charge refunded at the provider: REFUNDED", correlation_id))
        await write_to_outbox(tx, booking.events, now)


def _partial_refund(charge: Mapping[str, Any]) -> str | None:
    """'X of Y cents' when the charge is only partly refunded; None when it is fully refunded
    (Stripe's `refunded` flag, or the whole amount back)."""
    amount, refunded = charge.get("amount"), charge.get("amount_refunded")
    if charge.get("refunded") is True:
        return None
    if isinstance(amount, int) and isinstance(refunded, int):
        return None if refunded >= amount else f"{refunded} of {amount} cents"
    # Neither the flag nor the amounts: not a refund we can call full.
    return "an unknown part of the charge"
