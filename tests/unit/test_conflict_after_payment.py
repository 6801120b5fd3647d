"""A couple who paid for a date that was taken meanwhile gets their money back exactly once,
even when the payment provider fails the first refund attempt."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest

from adapters.settable_clock import SettableClock
from adapters.stand_ins.local_checkout import LocalCheckout
from application import commands as c
from application.commands import WebhookAck
from domain.errors import WebhookProcessingFailed
from domain.webhook_event import WebhookStatus
from entrypoints.asgi import prepare_mock_preset
from entrypoints.bootstrap import Elope, bootstrap
from entrypoints.settings import Settings
from tests.conftest import paid_session, sign, stripe_event


class RefundsFailOnce(LocalCheckout):
    """The provider times out on the first refund request, then answers."""

    def __init__(self, settings: Settings) -> None:
        super().__init__(settings.webhook_secret, settings.base_url)
        self.refund_requests = 0

    async def refund(self, payment_intent_id: str, amount_cents: int, idempotency_key: str) -> str:
        self.refund_requests += 1
        if self.refund_requests == 1:
            raise TimeoutError("the payment provider did not answer in time")
        return await super().refund(payment_intent_id, amount_cents, idempotency_key)


async def deliver(elope: Elope, event: dict[str, Any]) -> WebhookAck:
    raw, headers = sign(event)
    return await elope.bus.handle(c.RecordStripeEvent(raw_body=raw,
                                                      signature=headers["Stripe-Signature"]))


async def sunrise_id(elope: Elope) -> str:
    async with elope.uow() as tx:
        package = await tx.packages.get_by_slug("sunrise-cliffs")
    assert package is not None
    return package.id


async def apologies(elope: Elope) -> list[str]:
    """The refund apologies the couple received, once the relay has run."""
    await elope.relay.drain()
    return sorted(p.name for p in elope.settings.mail_sink_dir.glob("*_refund.eml"))


async def test_a_couple_who_paid_after_their_hold_lapsed_and_the_date_was_sold_is_refunded(
    elope: Elope, clock: SettableClock, future_date: Callable[[int], str],
) -> None:
    date = future_date(80)

    async def check_out(email: str) -> str:
        created = await elope.bus.handle(c.CreateCheckout(
            package_slug="sunrise-cliffs", event_date=date, couple_name="Ada & Grace",
            email=email, phone=None, add_on_ids=()))
        return str(created.session_id)

    slow = await check_out("slow@example.com")
    clock.advance(dt.timedelta(minutes=elope.settings.checkout_hold_minutes, seconds=1))
    quick = await check_out("quick@example.com")
    await elope.bus.handle(c.RecordStripeEvent(*elope.payments.pay(quick)))  # type: ignore[attr-defined]

    ack = await elope.bus.handle(c.RecordStripeEvent(*elope.payments.pay(slow)))  # type: ignore[attr-defined]

    assert ack.status is WebhookStatus.PROCESSED
    async with elope.uow() as tx:
        assert await tx.bookings.by_session(slow) is None
        winner = await tx.bookings.by_session(quick)
    assert winner is not None and winner.holds_its_date
    refunds = elope.payments.refunds  # type: ignore[attr-defined]
    assert list(refunds) == [f"refund:{slow}"]
    assert refunds[f"refund:{slow}"]["amount"] == 180_000
    assert await apologies(elope) == [f"session_{slow}_refund.eml"]


async def test_a_refund_the_provider_failed_is_retried_on_redelivery_and_paid_once(
    settings: Settings, clock: SettableClock, future_date: Callable[[int], str],
) -> None:
    payments = RefundsFailOnce(settings)
    elope = bootstrap(settings, clock=clock, payments=payments)
    await prepare_mock_preset(elope)
    package_id, date = await sunrise_id(elope), future_date(81)
    await deliver(elope, stripe_event("checkout.session.completed",
                                      paid_session(package_id=package_id, event_date=date)))
    late = paid_session(package_id=package_id, event_date=date, email="late@example.com")
    late_event = stripe_event("checkout.session.completed", late)

    with pytest.raises(WebhookProcessingFailed):
        await deliver(elope, late_event)
    async with elope.uow() as tx:
        record = await tx.webhook_events.get_for_update(late_event["id"])
    assert record is not None and record.status is WebhookStatus.FAILED
    assert record.last_error and "TimeoutError" in record.last_error
    assert payments.refunds == {}
    assert await apologies(elope) == []

    ack = await deliver(elope, late_event)
    again = await deliver(elope, late_event)

    assert (ack.status, again.status) == (WebhookStatus.PROCESSED, WebhookStatus.PROCESSED)
    assert list(payments.refunds) == [f"refund:{late['id']}"]
    assert payments.refund_requests == 2
    assert await apologies(elope) == [f"session_{late['id']}_refund.eml"]


async def test_a_payment_for_a_date_blacked_out_after_its_hold_lapsed_is_refunded_not_booked(
    elope: Elope, settings: Settings, future_date: Callable[[int], str],
) -> None:
    date = future_date(85)
    await elope.bus.handle(c.AddBlackout(date=date, reason="studio closed"))
    session = paid_session(package_id=await sunrise_id(elope), event_date=date)

    await deliver(elope, stripe_event("checkout.session.completed", session))

    async with elope.uow() as tx:
        assert await tx.bookings.by_session(session["id"]) is None
    assert isinstance(elope.payments, LocalCheckout)
    assert f"refund:{session['id']}" in elope.payments.refunds
    assert len(await apologies(elope)) == 1
