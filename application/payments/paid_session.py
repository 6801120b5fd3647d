"""Turn a paid checkout session into exactly one booking - or, if the date was taken
meanwhile, into a refund and an apology. Shared by the webhook and the reconciler."""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable, Mapping
from enum import StrEnum
from typing import Any

from application.ids import new_id
from application.payments.checkout_metadata import CheckoutMetadata
from application.ports.clock import Clock
from application.ports.metrics import Metrics
from application.ports.payment import PaymentProvider
from application.ports.unit_of_work import UnitOfWork, UnitOfWorkFactory
from application.serial_lanes import SerialLanes
from application.transactions import with_retries
from domain.booking import Booking, BookingStatus
from domain.errors import DateAlreadyBooked, WebhookRejected
from domain.events import BookingPaid, PaidDateConflictRefunded
from domain.money import Money
from domain.timeline import TimelineEntry, TimelineKind

log = logging.getLogger("elope.bookings")

# Called inside the transaction that makes the effect, so the inbox record and the effect
# commit together (or not at all).
Settle = Callable[[UnitOfWork, bool], Awaitable[None]]


class PaidOutcome(StrEnum):
    BOOKED = "booked"
    ALREADY_BOOKED = "already_booked"
    REFUNDED_CONFLICT = "refunded_conflict"


def refund_key(session_id: str) -> str:
    return f"refund:{session_id}"


class PaidSessionCompleter:
    def __init__(
        self, uow: UnitOfWorkFactory, payments: PaymentProvider, lanes: SerialLanes,
        clock: Clock, metrics: Metrics,
    ) -> None:
        self._uow = uow
        self._payments = payments
        self._lanes = lanes
        self._clock = clock
        self._metrics = metrics

    async def complete(
        self, session: Mapping[str, Any], correlation_id: str, settle: Settle,
    ) -> PaidOutcome:
        session_id = str(session.get("id") or "")
        if not session_id:
            raise WebhookRejected("checkout session has no id")
        meta = CheckoutMetadata.from_stripe(session.get("metadata"))
        amount = session.get("amount_total")
        total = Money(amount) if isinstance(amount, int) else meta.total
        if total != meta.total:
            log.warning("session %s paid %s cents, metadata said %s", session_id,
                        total.cents, meta.total.cents)
        payment_intent = session.get("payment_intent")
        payment_intent = str(payment_intent) if payment_intent else None
        async with self._lanes.turn(f"date:{meta.event_date}"):
            started = time.perf_counter()

            async def attempt() -> PaidOutcome | None:
                """One transaction; None when the date turned out to be taken or closed."""
                async with self._uow() as tx:
                    await tx.lock_date(meta.event_date)
                    if await tx.bookings.by_session(session_id) is not None:
                        await settle(tx, True)
                        await tx.commit()
                        return PaidOutcome.ALREADY_BOOKED
                    # A blackout added after the hold lapsed makes the date as unsellable as a
                    # booking does: the couple is refunded rather than booked on a closed day.
                    taken = (await tx.bookings.paid_on(meta.event_date) is not None
                             or bool(await tx.blackouts.dates_between(meta.event_date,
                                                                      meta.event_date)))
                    if taken:
                        return None
                    await self._book(tx, session_id, meta, total, payment_intent, correlation_id)
                    await settle(tx, False)
                    await tx.commit()
                    return PaidOutcome.BOOKED

            try:
                outcome = await with_retries(attempt)
            except DateAlreadyBooked:
                outcome = None  # another process won the date between our check and insert
            if outcome is not None:
                if outcome is PaidOutcome.BOOKED:
                    self._metrics.booking_created(time.perf_counter() - started)
                return outcome
            await self._refund_conflict(session_id, meta, total, payment_intent, correlation_id,
                                        settle)
            return PaidOutcome.REFUNDED_CONFLICT

    async def _book(
        self, tx: UnitOfWork, session_id: str, meta: CheckoutMetadata, total: Money,
        payment_intent: str | None, correlation_id: str,
    ) -> None:
        now = self._clock.now()
        package = await tx.packages.get(meta.package_id)
        catalog = {a.id: a for a in package.add_ons} if package else {}
        await tx.customers.upsert(meta.email, meta.couple_name, meta.phone, new_id("cus"))
        booking = Booking(
            id=new_id("bk"), package_id=meta.package_id, couple_name=meta.couple_name,
            email=meta.email, phone=meta.phone, event_date=meta.event_date,
            add_ons=meta.booked_add_ons(catalog), total=total, status=BookingStatus.PAID,
            created_at=now, session_id=session_id, payment_intent_id=payment_intent,
            correlation_id=correlation_id,
        )
        early_refund = payment_intent is not None and await tx.early_refunds.take(payment_intent)
        if early_refund:
            booking.mark_refunded()
        await tx.bookings.add(booking)
        await tx.holds.release(session_id, now)
        await tx.timeline.add(TimelineEntry(
            session_id, now, TimelineKind.STATUS,
            f"booking {booking.id} created: {booking.status.value}", correlation_id))
        if not early_refund:
            await tx.outbox.add(new_id("msg"), BookingPaid(
                correlation_id=correlation_id, booking_id=booking.id,
                event_date=str(booking.event_date), email=booking.email,
                couple_name=booking.couple_name, total_cents=total.cents,
            ), now)
        for event in booking.events:
            await tx.outbox.add(new_id("msg"), event, now)

    async def _refund_conflict(
        self, session_id: str, meta: CheckoutMetadata, total: Money,
        payment_intent: str | None, correlation_id: str, settle: Settle,
    ) -> None:
        self._metrics.booking_conflict("after_payment")
        if payment_intent is None:
            raise WebhookRejected("a paid session without a payment intent cannot be refunded")
        # Outside any transaction: the provider call may be slow, and the key makes a retry
        # after a crash or a FAILED delivery return the same refund instead of a second one.
        refund_id = await self._payments.refund(payment_intent, total.cents,
                                                refund_key(session_id))
        async with self._uow() as tx:
            now = self._clock.now()
            await tx.holds.release(session_id, now)
            await tx.timeline.add(TimelineEntry(
                session_id, now, TimelineKind.REFUND,
                f"{meta.event_date} was taken or closed meanwhile: refunded {total.cents} cents"
                f" ({refund_id})", correlation_id))
            await tx.outbox.add(new_id("msg"), PaidDateConflictRefunded(
                correlation_id=correlation_id, session_id=session_id,
                event_date=str(meta.event_date), email=meta.email,
                couple_name=meta.couple_name, amount_cents=total.cents, refund_id=refund_id,
            ), now)
            await settle(tx, False)
            await tx.commit()
        log.warning("date %s was taken meanwhile; session %s refunded", meta.event_date,
                    session_id)
