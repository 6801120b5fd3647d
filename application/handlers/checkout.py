"""CreateCheckout: price the choice, hold the date, open a Stripe Checkout Session."""

from __future__ import annotations

import logging

from application.booking_policy import BookingPolicy
from application.checkout_conflicts import count_checkout_conflict
from application.commands import CheckoutCreated, CreateCheckout
from application.payments.checkout_metadata import CheckoutMetadata
from application.ports.clock import Clock
from application.ports.metrics import Metrics
from application.ports.payment import CheckoutRequest, LineItem, PaymentProvider
from application.ports.tracing import Tracing
from application.ports.unit_of_work import UnitOfWorkFactory
from application.queries.availability import AvailabilityQueries, closed_since_checked
from application.serial_lanes import SerialLanes
from application.transactions import with_retries
from domain.customer import normalize_couple_name, normalize_email, normalize_phone
from domain.errors import Conflict, DateUnavailable, NotFound
from domain.event_date import EventDate
from domain.hold import DateHold
from domain.pricing import quote
from domain.timeline import TimelineEntry, TimelineKind

log = logging.getLogger("elope.checkout")


async def create_checkout(
    command: CreateCheckout, *, uow: UnitOfWorkFactory, payments: PaymentProvider,
    availability: AvailabilityQueries, lanes: SerialLanes, clock: Clock,
    policy: BookingPolicy, tracing: Tracing, metrics: Metrics, holds_per_client: int,
) -> CheckoutCreated:
    """Validate everything first (400, then 404), then the date (409), then the owner's
    open holds (429: at most `holds_per_client` per client and per email); a rejected
    checkout changes nothing. On success the date is held until the session expires, and
    the same couple's (email and client) earlier open holds are released and their sessions
    closed: a newer checkout replaces them."""
    date = EventDate.parse(command.event_date)
    email = normalize_email(command.email)
    couple_name = normalize_couple_name(command.couple_name)
    phone = normalize_phone(command.phone)
    async with uow() as tx:
        package = await tx.packages.get_by_slug(command.package_slug)
    if package is None or not package.active:
        raise NotFound(f"no package '{command.package_slug}'")
    priced = quote(package, command.add_on_ids)
    metadata = CheckoutMetadata.for_quote(
        package.id, date, email, couple_name, phone, priced,
        tracing.current_traceparent(), command.correlation_id,
    ).to_stripe()  # a choice too big for the provider is a 400, before the date is looked at
    items = (
        LineItem(package.title, package.price.cents),
        *(LineItem(a.title, a.unit_price.cents) for a in priced.add_ons),
    )

    async with lanes.turn(f"date:{date}"):
        reason = await availability.reason_for(date)
        if reason is not None:
            metrics.checkout_conflict(reason.value)
            raise DateUnavailable(str(date), reason.value)
        now = clock.now()
        async with uow() as tx:
            # Before the provider is asked: a client past its holds opens no session at all.
            await tx.holds.refuse_past_limit(email, command.client, now, holds_per_client)
        expires_at = policy.hold_expiry(now)
        # The session first: if the provider fails, nothing was held (502/503, no hold).
        session = await payments.create_checkout_session(
            CheckoutRequest(items, email, expires_at, metadata)
        )

        replaced: list[DateHold] = []

        async def hold_the_date() -> None:
            replaced.clear()  # a retried attempt starts again
            async with uow() as tx:
                await tx.lock_date(date)
                # Checked again under the date lock: the availability read above took no
                # lock, and another process may have booked or closed the date since.
                closed = await closed_since_checked(tx, date)
                if closed is not None:
                    raise DateUnavailable(str(date), closed.value)
                if await tx.packages.get(package.id) is None:
                    raise Conflict(f"package '{package.slug}' was removed meanwhile")
                replaced.extend(await tx.holds.place(
                    DateHold(session.session_id, date, expires_at,
                             correlation_id=command.correlation_id, package_id=package.id,
                             email=email, client=command.client),
                    now, per_owner=holds_per_client,
                ))
                for old in replaced:
                    await tx.timeline.add(TimelineEntry(
                        old.session_id, now, TimelineKind.HOLD,
                        f"hold on {old.event_date} released: the same couple started checkout"
                        f" {session.session_id}", old.correlation_id))
                await tx.timeline.add(TimelineEntry(
                    session.session_id, now, TimelineKind.CHECKOUT,
                    f"checkout for {package.slug} on {date}, total {priced.total.cents} cents,"
                    f" held until {expires_at.isoformat()}",
                    command.correlation_id,
                ))
                await tx.commit()

        try:
            await with_retries(hold_the_date)
        except Exception as exc:
            count_checkout_conflict(metrics, exc)
            # Another process held the date between our check and our insert, or the
            # database failed: close the session we opened, so nobody pays for a date that
            # is not held for them.
            await _expire_quietly(payments, session.session_id)
            raise
    for old in replaced:
        # Its date is free again already; its session must not be paid for any more.
        log.info("checkout %s replaces %s of the same couple", session.session_id,
                 old.session_id)
        await _expire_quietly(payments, old.session_id)
    log.info("checkout %s: %s on %s, %d cents, held until %s", session.session_id,
             package.slug, date, priced.total.cents, expires_at.isoformat())
    # The hold's end, not the session's: a provider may keep the session open a little longer
    # (Stripe's 30-minute minimum), and the reconciler closes it once the hold has ended.
    return CheckoutCreated(session.url, session.session_id, expires_at, priced.total.cents)


async def _expire_quietly(payments: PaymentProvider, session_id: str) -> None:
    try:
        await payments.expire_session(session_id)
    except Exception:
        # Should the couple still pay it, the webhook books the date if it is free and
        # refunds them if it is not: no money is lost either way.
        log.warning("could not expire session %s at the provider", session_id)
