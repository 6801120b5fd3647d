"""Turn a paid checkout session into exactly one booking - or, if that cannot be, into a
refund and an apology. Shared by the webhook and the reconciler."""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Awaitable, Callable, Mapping
from enum import StrEnum
from typing import Any

from application.ids import new_id
from application.messaging.outbox_writer import write_to_outbox
from application.payments.checkout_metadata import CheckoutMetadata
from application.ports.clock import Clock
from application.ports.metrics import Metrics
from application.ports.payment import PaymentProvider
from application.ports.tracing import Tracing
from application.ports.unit_of_work import UnitOfWork, UnitOfWorkFactory
from application.serial_lanes import SerialLanes
from application.transactions import with_retries
from domain.booking import Booking
from domain.errors import (
    DateAlreadyBooked,
    NotFound,
    TransientFailure,
    ValidationFailed,
    WebhookRejected,
)
from domain.events import DomainEvent
from domain.money import CURRENCY, Money
from domain.paid_session import PaidSession, RefundReason
from domain.timeline import TimelineEntry, TimelineKind

log = logging.getLogger("elope.bookings")

# Called inside the transaction that makes the effect, with its outcome word and whether it
# only found the work done, so the inbox record and the effect commit together (or not at all).
Settle = Callable[[UnitOfWork, str, bool], Awaitable[None]]
# Records the event in the booking's own transaction (one transaction per delivery when all
# goes well); raises when an earlier delivery recorded it, which the inbox then judges.
Claim = Callable[[UnitOfWork], Awaitable[None]]


class PaidOutcome(StrEnum):
    BOOKED = "booked"
    ALREADY_BOOKED = "already_booked"
    REFUNDED_CONFLICT = "refunded_conflict"
    REFUNDED_PACKAGE_WITHDRAWN = "refunded_package_withdrawn"
    REFUNDED_AMOUNT_MISMATCH = "refunded_amount_mismatch"


_REFUND_OUTCOMES = {
    RefundReason.DATE_TAKEN: PaidOutcome.REFUNDED_CONFLICT,
    RefundReason.PACKAGE_WITHDRAWN: PaidOutcome.REFUNDED_PACKAGE_WITHDRAWN,
    RefundReason.AMOUNT_MISMATCH: PaidOutcome.REFUNDED_AMOUNT_MISMATCH,
}
_REFUND_NOTES = {
    RefundReason.DATE_TAKEN: "{date} was taken or closed meanwhile",
    RefundReason.PACKAGE_WITHDRAWN: "package {package} was deleted meanwhile",
    RefundReason.AMOUNT_MISMATCH: "{mismatch}",
}


def refund_key(session_id: str) -> str:
    return f"refund:{session_id}"


def paid_session_from(session: Mapping[str, Any], correlation_id: str) -> PaidSession:
    """The provider's session object, checked; anything unusable is `WebhookRejected`. Its
    journey is the checkout's correlation id, or `correlation_id` for a session that does not
    name one (not made by Elope's checkout)."""
    session_id = str(session.get("id") or "")
    if not session_id:
        raise WebhookRejected("checkout session has no id")
    meta = CheckoutMetadata.from_stripe(session.get("metadata"))
    amount = session.get("amount_total")
    if amount is not None and (isinstance(amount, bool) or not isinstance(amount, int)):
        # Stripe sends whole cents or null; anything else is no amount to book or refund.
        raise WebhookRejected("amount_total is not a whole number of cents")
    charged = meta.total.cents if amount is None else amount
    try:
        total = Money(charged)
    except ValidationFailed:
        raise WebhookRejected(f"amount_total {charged} is not a usable amount") from None
    currency = session.get("currency")
    payment_intent = session.get("payment_intent")
    return PaidSession(
        session_id=session_id, package_id=meta.package_id, event_date=meta.event_date,
        email=meta.email, couple_name=meta.couple_name, phone=meta.phone, amount=total,
        payment_intent_id=str(payment_intent) if payment_intent else None,
        journey_id=meta.correlation_id or correlation_id, add_on_ids=meta.add_on_ids,
        add_on_prices=meta.add_on_prices, priced=meta.total,
        currency=currency.lower() if isinstance(currency, str) and currency else CURRENCY,
    )


class PaidSessionCompleter:
    def __init__(
        self, uow: UnitOfWorkFactory, payments: PaymentProvider, lanes: SerialLanes,
        clock: Clock, metrics: Metrics, tracing: Tracing,
    ) -> None:
        self._uow = uow
        self._payments = payments
        self._lanes = lanes
        self._clock = clock
        self._metrics = metrics
        self._tracing = tracing

    async def complete(
        self, session: Mapping[str, Any], correlation_id: str, settle: Settle,
        claim: Claim | None = None,
    ) -> PaidOutcome:
        """Book the session's date, unless it was booked already (nothing happens) or cannot
        be booked (the payment is refunded). Never leaves a paid couple with neither.
        `claim`, when given, runs first in the booking transaction (see Claim)."""
        paid = paid_session_from(session, correlation_id)
        # No span of its own: the caller's (the webhook's "stripe event", the reconciler's
        # hold) is the processing span, and gets the session, the booking and the journey.
        self._tracing.annotate({"stripe.session_id": paid.session_id})
        with self._tracing.journey(paid.journey_id):
            return await self._complete(paid, correlation_id, settle, claim)

    async def _complete(
        self, paid: PaidSession, correlation_id: str, settle: Settle, claim: Claim | None,
    ) -> PaidOutcome:
        if paid.price_mismatch() is not None:
            # Checked before anything else: such a payment is never booked, whatever the date.
            if claim is not None:
                async with self._uow() as tx:  # the refund that follows is this delivery's
                    await claim(tx)
                    await tx.commit()
            await self._refund(paid, RefundReason.AMOUNT_MISMATCH, correlation_id, settle)
            return PaidOutcome.REFUNDED_AMOUNT_MISMATCH
        async with self._lanes.turn(f"date:{paid.event_date}"):
            started = time.perf_counter()
            verdict = await with_retries(
                lambda: self._book_once(paid, correlation_id, settle, claim))
            if isinstance(verdict, PaidOutcome):
                if verdict is PaidOutcome.BOOKED:
                    self._metrics.booking_created(time.perf_counter() - started)
                return verdict
            await self._refund(paid, verdict, correlation_id, settle)
            return _REFUND_OUTCOMES[verdict]

    async def _book_once(
        self, paid: PaidSession, correlation_id: str, settle: Settle, claim: Claim | None,
    ) -> PaidOutcome | RefundReason:
        """One transaction. A RefundReason says why the session cannot be booked; the claim
        is committed then, so the refund that follows is this delivery's alone."""
        async with self._uow() as tx:
            await tx.lock_date(paid.event_date)
            if claim is not None:
                await claim(tx)
            facts = await tx.booking_facts.for_paid_session(
                paid.session_id, paid.event_date, paid.package_id, paid.payment_intent_id)
            if facts.booked_by_session:
                await settle(tx, PaidOutcome.ALREADY_BOOKED.value, True)
                await tx.commit()
                return PaidOutcome.ALREADY_BOOKED
            # Booked by another session, or - a blackout added after the hold lapsed makes
            # the date as unsellable as a booking does - closed: the couple is refunded
            # rather than booked twice or on a closed day.
            if facts.date_booked or facts.blackout:
                await tx.commit()
                return RefundReason.DATE_TAKEN
            if facts.package is None:
                reason = await self._package_gone(tx, paid)
                await tx.commit()
                return reason
            now = self._clock.now()
            # Rare, so taken only when the facts say it is there (payment_intent_id is then
            # known): the common path stays at one read.
            early_refund = (facts.refunded_early and paid.payment_intent_id is not None
                            and await tx.early_refunds.take(paid.payment_intent_id))
            booking = paid.book(new_id("bk"), paid.booked_add_ons(facts.package.add_ons), now,
                                already_refunded=early_refund)
            self._tracing.annotate({"booking.id": booking.id})
            try:
                await _record_outcome(tx, paid, now, TimelineEntry(
                    paid.session_id, now, TimelineKind.STATUS,
                    f"booking {booking.id} created: {booking.status.value}", correlation_id),
                    booking.events, settle, PaidOutcome.BOOKED, booking)
            except DateAlreadyBooked:
                # Another process won the date meanwhile. The failed insert spoilt this
                # transaction (claim included); the next attempt finds the date taken.
                raise TransientFailure("the date was booked meanwhile") from None
            except NotFound:
                # Deleted since we read it; the failed insert spoilt this transaction, and
                # the next attempt finds the package gone.
                raise TransientFailure("the package was deleted meanwhile") from None
            log.info("booking %s created for session %s on %s: %s", booking.id,
                     paid.session_id, paid.event_date, booking.status.value)
            return PaidOutcome.BOOKED

    @staticmethod
    async def _package_gone(tx: UnitOfWork, paid: PaidSession) -> RefundReason:
        # Our own checkout held the date for this package, which was deleted after the hold
        # lapsed: refund. Without a hold the metadata names a package Elope never sold.
        if await tx.holds.get(paid.session_id) is None:
            raise WebhookRejected(f"session metadata names an unknown package '{paid.package_id}'")
        return RefundReason.PACKAGE_WITHDRAWN

    async def _refund(
        self, paid: PaidSession, reason: RefundReason, correlation_id: str, settle: Settle,
    ) -> None:
        if paid.payment_intent_id is None:
            raise WebhookRejected("a paid session without a payment intent cannot be refunded")
        # Outside any transaction: the provider call may be slow, and the key makes a retry
        # after a crash or a FAILED delivery return the same refund instead of a second one.
        with self._tracing.span("refund", {"refund.reason": reason.value,
                                           "stripe.session_id": paid.session_id}):
            refund_id = await self._payments.refund(
                paid.payment_intent_id, paid.amount.cents, refund_key(paid.session_id))
        # Counted once the refund exists: a delivery that failed before it is retried, and
        # would count the same refund again.
        if reason is RefundReason.DATE_TAKEN:
            self._metrics.booking_conflict("after_payment")
        self._metrics.paid_session_refunded(reason.value)
        paid.refunded(refund_id, reason)
        note = _REFUND_NOTES[reason].format(date=paid.event_date, package=paid.package_id,
                                            mismatch=paid.price_mismatch())
        async with self._uow() as tx:
            now = self._clock.now()
            await _record_outcome(tx, paid, now, TimelineEntry(
                paid.session_id, now, TimelineKind.REFUND,
                f"{note}: refunded {paid.amount.cents} cents ({refund_id})", correlation_id),
                paid.events, settle, _REFUND_OUTCOMES[reason])
        log.warning("session %s refunded: %s", paid.session_id, note)


async def _record_outcome(
    tx: UnitOfWork, paid: PaidSession, now: dt.datetime, entry: TimelineEntry,
    events: list[DomainEvent], settle: Settle, outcome: PaidOutcome,
    booking: Booking | None = None,
) -> None:
    """What ends a paid session, booked or refunded, in one commit: the booking made, its
    hold released, the outcome on its timeline, the recorded events in the outbox, the inbox
    record settled."""
    async with tx.batch():  # nothing here is read back: one trip to the database
        if booking is not None:
            await tx.bookings.add(booking)
        await tx.holds.mark_settled(paid.session_id, now)
        await tx.timeline.add(entry)
        await write_to_outbox(tx, events, now)
        await settle(tx, outcome.value, False)
    await tx.commit()
