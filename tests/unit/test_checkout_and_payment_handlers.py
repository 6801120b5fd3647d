"""Checkout, payment, expiry and refunds through the bus, on the memory adapter set."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import pytest

from adapters.settable_clock import SettableClock
from application import commands as c
from application.commands import CheckoutCreated, WebhookAck
from domain.availability import UnavailableReason
from domain.booking import Booking, BookingStatus
from domain.catalog import Package
from domain.errors import DateUnavailable, ValidationFailed
from domain.event_date import EventDate
from domain.money import Money
from domain.webhook_event import WebhookStatus
from entrypoints.asgi import prepare_mock_preset
from entrypoints.bootstrap import Elope, bootstrap
from entrypoints.settings import Settings, load_settings
from tests.conftest import sign, stripe_event


async def package(elope: Elope, slug: str = "sunrise-cliffs") -> Package:
    async with elope.uow() as tx:
        found = await tx.packages.get_by_slug(slug)
    assert found is not None
    return found


async def check_out(elope: Elope, date: str, add_on_ids: tuple[str, ...] = (),
                    slug: str = "sunrise-cliffs") -> CheckoutCreated:
    return await elope.bus.handle(c.CreateCheckout(
        package_slug=slug, event_date=date, couple_name="Ada & Grace", email="ada@example.com",
        phone=None, add_on_ids=add_on_ids, correlation_id="test-checkout"))


async def deliver(elope: Elope, raw: bytes, header: str) -> WebhookAck:
    return await elope.bus.handle(c.RecordStripeEvent(raw_body=raw, signature=header))


async def pay(elope: Elope, session_id: str) -> WebhookAck:
    return await deliver(elope, *elope.payments.pay(session_id))  # type: ignore[attr-defined]


async def booking_of(elope: Elope, session_id: str) -> Booking | None:
    async with elope.uow() as tx:
        return await tx.bookings.by_session(session_id)


async def reason(elope: Elope, date: str) -> UnavailableReason | None:
    return await elope.queries.availability.reason_for(EventDate.parse(date))


async def test_checkout_holds_the_date_and_prices_the_package_with_its_add_ons(
    elope: Elope, future_date: Callable[[int], str],
) -> None:
    sunrise = await package(elope)
    chosen = tuple(a.id for a in sunrise.add_ons)
    created = await check_out(elope, future_date(40), chosen)
    assert created.total_cents == sunrise.price.cents + sum(a.price.cents for a in sunrise.add_ons)
    assert created.total_cents == 180_000 + 35_000 + 9_000
    assert await reason(elope, future_date(40)) is UnavailableReason.HELD
    with pytest.raises(DateUnavailable, match="held"):
        await check_out(elope, future_date(40))


async def test_a_rejected_checkout_holds_nothing(
    elope: Elope, future_date: Callable[[int], str],
) -> None:
    with pytest.raises(ValidationFailed):
        await check_out(elope, future_date(41), ("add_on_of_nobody",))
    assert await reason(elope, future_date(41)) is None


async def test_the_booking_keeps_the_prices_captured_at_checkout_after_the_catalog_changes(
    elope: Elope, future_date: Callable[[int], str],
) -> None:
    sunrise = await package(elope)
    photos = sunrise.add_ons[0]
    created = await check_out(elope, future_date(42), (photos.id,))
    await elope.bus.handle(c.RevisePackage(
        package_id=sunrise.id, version=sunrise.version, slug=sunrise.slug, title=sunrise.title,
        description=sunrise.description, price_cents=250_000, photo_url=None, active=True))
    await elope.bus.handle(c.ReviseAddOn(
        add_on_id=photos.id, title=photos.title, description=photos.description,
        price_cents=99_000, photo_url=None, active=True))

    ack = await pay(elope, created.session_id)

    assert ack.status is WebhookStatus.PROCESSED
    booking = await booking_of(elope, created.session_id)
    assert booking is not None and booking.status is BookingStatus.PAID
    assert booking.total == Money(180_000 + 35_000) == Money(created.total_cents)
    assert [(a.add_on_id, a.unit_price) for a in booking.add_ons] == [(photos.id, Money(35_000))]
    assert await reason(elope, future_date(42)) is UnavailableReason.BOOKED


async def test_an_expired_session_releases_its_hold(
    elope: Elope, future_date: Callable[[int], str],
) -> None:
    created = await check_out(elope, future_date(43))
    raw, header = elope.payments.event_for(  # type: ignore[attr-defined]
        created.session_id, "checkout.session.expired")
    await deliver(elope, raw, header)
    assert await reason(elope, future_date(43)) is None
    assert (await check_out(elope, future_date(43))).session_id != created.session_id


async def test_a_hold_past_its_expiry_blocks_nobody(
    elope: Elope, clock: SettableClock, future_date: Callable[[int], str],
) -> None:
    date = future_date(44)
    await check_out(elope, date)
    clock.advance(dt.timedelta(minutes=elope.settings.checkout_hold_minutes, seconds=1))
    assert await reason(elope, date) is None


async def test_a_refunded_charge_marks_the_booking_refunded_and_frees_the_date(
    elope: Elope, future_date: Callable[[int], str],
) -> None:
    created = await check_out(elope, future_date(45))
    await pay(elope, created.session_id)
    booking = await booking_of(elope, created.session_id)
    assert booking is not None
    charge = {"id": "ch_1", "object": "charge", "payment_intent": booking.payment_intent_id,
              "amount": booking.total.cents, "amount_refunded": booking.total.cents,
              "refunded": True}
    raw, headers = sign(stripe_event("charge.refunded", charge))
    await deliver(elope, raw, headers["Stripe-Signature"])
    refunded = await booking_of(elope, created.session_id)
    assert refunded is not None and refunded.status is BookingStatus.REFUNDED
    assert await reason(elope, future_date(45)) is None


async def test_a_refund_that_arrives_before_its_booking_is_applied_when_the_booking_appears(
    elope: Elope, future_date: Callable[[int], str],
) -> None:
    created = await check_out(elope, future_date(46))
    paid_event = elope.payments.pay(created.session_id)  # type: ignore[attr-defined]
    intent = elope.payments.sessions[created.session_id]["payment_intent"]  # type: ignore[attr-defined]
    charge = {"id": "ch_2", "object": "charge", "payment_intent": intent,
              "amount": created.total_cents, "amount_refunded": created.total_cents,
              "refunded": True}
    raw, headers = sign(stripe_event("charge.refunded", charge))

    early = await deliver(elope, raw, headers["Stripe-Signature"])
    assert early.status is WebhookStatus.PROCESSED
    assert await booking_of(elope, created.session_id) is None

    await deliver(elope, *paid_event)
    booking = await booking_of(elope, created.session_id)
    assert booking is not None and booking.status is BookingStatus.REFUNDED
    assert await reason(elope, future_date(46)) is None


@pytest.fixture
def kiritimati_settings(tmp_path: Path) -> Settings:
    return load_settings(adapters_preset="mock", mail_sink_dir=tmp_path / "mail",
                         business_timezone="Pacific/Kiritimati", mock_calendar_busy_dates="")


async def test_today_is_the_business_day_in_the_configured_time_zone(
    settings: Settings, kiritimati_settings: Settings,
) -> None:
    noon_utc = SettableClock(dt.datetime(2026, 3, 1, 12, 0, tzinfo=dt.UTC))
    in_utc = bootstrap(settings, clock=noon_utc)
    in_kiritimati = bootstrap(kiritimati_settings, clock=noon_utc)
    await prepare_mock_preset(in_utc)
    await prepare_mock_preset(in_kiritimati)
    assert await reason(in_utc, "2026-03-01") is None
    assert await reason(in_kiritimati, "2026-03-01") is UnavailableReason.PAST
    with pytest.raises(DateUnavailable, match="past"):
        await check_out(in_kiritimati, "2026-03-01")
    assert (await check_out(in_utc, "2026-03-01")).total_cents == 180_000


async def test_a_partial_refund_is_recorded_and_changes_nothing_else_a_full_one_frees_the_date(
    elope: Elope, future_date: Callable[[int], str],
) -> None:
    created = await check_out(elope, future_date(47))
    await pay(elope, created.session_id)
    partial = await deliver(elope, *elope.payments.refund_event(  # type: ignore[attr-defined]
        created.session_id, 10_000))

    assert partial.outcome == "partial_refund_recorded"
    booking = await booking_of(elope, created.session_id)
    assert booking is not None and booking.status is BookingStatus.PAID
    assert await reason(elope, future_date(47)) is UnavailableReason.BOOKED
    timeline = await elope.queries.bookings.timeline(booking.id)
    assert any(e.detail.startswith("partial refund at the provider: 10000 of 180000 cents")
               for e in timeline)

    await deliver(elope, *elope.payments.refund_event(  # type: ignore[attr-defined]
        created.session_id, created.total_cents))
    refunded = await booking_of(elope, created.session_id)
    assert refunded is not None and refunded.status is BookingStatus.REFUNDED
    assert await reason(elope, future_date(47)) is None


@pytest.mark.parametrize("change", [{"amount_total": 179_999}, {"currency": "eur"}])
async def test_a_session_charged_other_than_priced_is_refunded_never_booked_and_says_why(
    elope: Elope, future_date: Callable[[int], str], change: dict[str, object],
) -> None:
    created = await check_out(elope, future_date(48))
    sessions = elope.payments.sessions  # type: ignore[attr-defined]
    elope.payments.pay(created.session_id)  # type: ignore[attr-defined]
    sessions[created.session_id].update(change)  # what Stripe reports it charged
    raw, header = elope.payments.event_for(  # type: ignore[attr-defined]
        created.session_id, "checkout.session.completed")

    ack = await deliver(elope, raw, header)

    assert ack.status is WebhookStatus.PROCESSED
    assert ack.outcome == "refunded_amount_mismatch"
    assert await booking_of(elope, created.session_id) is None
    refunds = elope.payments.refunds  # type: ignore[attr-defined]
    assert list(refunds) == [f"refund:{created.session_id}"]
    charged = change.get("amount_total", created.total_cents)
    assert refunds[f"refund:{created.session_id}"]["amount"] == charged
    assert await reason(elope, future_date(48)) is None  # the hold was released
    metrics = elope.metrics.render()[0].decode()
    assert 'elope_paid_session_refunds_total{reason="amount_mismatch"} 1.0' in metrics
    await elope.relay.drain()
    [apology] = elope.settings.mail_sink_dir.glob(f"session_{created.session_id}_refund.eml")
    assert "different" in apology.read_text() or "amount" in apology.read_text()
