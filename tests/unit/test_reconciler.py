"""ReconcileHolds: a paid session whose webhook was lost still becomes a booking; an unpaid
one that ran out of time gives its date back."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest

from adapters.settable_clock import SettableClock
from application import commands as c
from application.commands import CheckoutCreated, ReconcileReport
from domain.availability import UnavailableReason
from domain.booking import BookingStatus
from domain.errors import Conflict
from domain.event_date import EventDate
from domain.webhook_event import WebhookStatus
from entrypoints.bootstrap import Elope


async def check_out(elope: Elope, date: str) -> CheckoutCreated:
    return await elope.bus.handle(c.CreateCheckout(
        package_slug="city-hall-chic", event_date=date, couple_name="Ada & Grace",
        email="ada@example.com", phone="+1 555 0100", add_on_ids=()))


def past_the_hold(elope: Elope, clock: SettableClock) -> None:
    clock.advance(dt.timedelta(minutes=elope.settings.checkout_hold_minutes, seconds=1))


async def reconcile(elope: Elope) -> ReconcileReport:
    return await elope.bus.handle(c.ReconcileHolds(correlation_id="reconcile-test"))


async def reason(elope: Elope, date: str) -> UnavailableReason | None:
    return await elope.queries.availability.reason_for(EventDate.parse(date))


async def confirmations(elope: Elope) -> list[str]:
    """The confirmations sent, once the relay has run."""
    await elope.relay.drain()
    return sorted(p.name for p in elope.settings.mail_sink_dir.glob("*confirmation.eml"))


async def test_a_session_paid_at_the_provider_whose_webhook_was_lost_becomes_a_booking(
    elope: Elope, clock: SettableClock, future_date: Callable[[int], str],
) -> None:
    date = future_date(60)
    created = await check_out(elope, date)
    elope.payments.pay(created.session_id)  # type: ignore[attr-defined]  # event never arrives
    past_the_hold(elope, clock)

    report = await reconcile(elope)

    assert (report.completed, report.released) == (1, 0)
    async with elope.uow() as tx:
        booking = await tx.bookings.by_session(created.session_id)
    assert booking is not None
    assert booking.status is BookingStatus.PAID
    assert booking.total.cents == created.total_cents == 95_000
    assert str(booking.event_date) == date
    assert await reason(elope, date) is UnavailableReason.BOOKED
    assert await confirmations(elope) == [f"booking_{booking.id}_confirmation.eml"]


async def test_the_late_webhook_after_reconciliation_makes_no_second_booking_or_email(
    elope: Elope, clock: SettableClock, future_date: Callable[[int], str],
) -> None:
    created = await check_out(elope, future_date(61))
    raw, header = elope.payments.pay(created.session_id)  # type: ignore[attr-defined]
    past_the_hold(elope, clock)
    await reconcile(elope)

    ack = await elope.bus.handle(c.RecordStripeEvent(raw_body=raw, signature=header))

    assert ack.status is WebhookStatus.DUPLICATE
    async with elope.uow() as tx:
        booked = await tx.bookings.paid_dates_between(EventDate.parse(future_date(61)),
                                                      EventDate.parse(future_date(61)))
    assert len(booked) == 1
    assert len(await confirmations(elope)) == 1


async def test_an_expired_unpaid_session_releases_its_hold_and_can_no_longer_be_paid(
    elope: Elope, clock: SettableClock, future_date: Callable[[int], str],
) -> None:
    date = future_date(62)
    created = await check_out(elope, date)
    past_the_hold(elope, clock)

    report = await reconcile(elope)

    assert (report.completed, report.released) == (0, 1)
    async with elope.uow() as tx:
        hold = await tx.holds.get(created.session_id)
        assert await tx.bookings.by_session(created.session_id) is None
    assert hold is not None and hold.released_at is not None
    with pytest.raises(Conflict):
        elope.payments.pay(created.session_id)  # type: ignore[attr-defined]
    assert await reason(elope, date) is None
    assert (await check_out(elope, date)).session_id != created.session_id


async def test_a_hold_still_within_its_time_is_left_alone(
    elope: Elope, future_date: Callable[[int], str],
) -> None:
    date = future_date(63)
    await check_out(elope, date)
    report = await reconcile(elope)
    assert (report.completed, report.released) == (0, 0)
    assert await reason(elope, date) is UnavailableReason.HELD


async def test_reconciling_twice_does_the_work_once(
    elope: Elope, clock: SettableClock, future_date: Callable[[int], str],
) -> None:
    paid = await check_out(elope, future_date(64))
    elope.payments.pay(paid.session_id)  # type: ignore[attr-defined]
    await check_out(elope, future_date(65))
    past_the_hold(elope, clock)

    first = await reconcile(elope)
    second = await reconcile(elope)

    assert (first.completed, first.released) == (1, 1)
    assert (second.completed, second.released) == (0, 0)
    assert len(await confirmations(elope)) == 1
