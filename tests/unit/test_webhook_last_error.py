"""Issue 10 (8): the admin's inbox shows a clean lastError - our words, or a builtin error's
kind - never a driver's or a library's text (SQL, stored values, keys)."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from adapters.stand_ins.local_checkout import LocalCheckout
from application import commands as c
from domain.errors import WebhookProcessingFailed
from domain.webhook_event import WebhookStatus
from entrypoints.asgi import prepare_mock_preset
from entrypoints.bootstrap import bootstrap
from entrypoints.settings import Settings
from tests.conftest import paid_session, sign, stripe_event
from tests.unit.test_conflict_after_payment import sunrise_id

DRIVER_TEXT = ('duplicate key value violates unique constraint "booking_paid_date"\n'
               'DETAIL:  Key (event_date)=(2031-01-01) already exists. sk_live_0123456789')


class DriverError(Exception):
    """What a database driver or provider library raises: its words are not for the admin."""


class RefundsBreak(LocalCheckout):
    async def refund(self, payment_intent_id: str, amount_cents: int, idempotency_key: str) -> str:
        raise DriverError(DRIVER_TEXT)


async def test_a_failed_event_records_a_clean_message_never_the_drivers_text(
    settings: Settings, future_date: Callable[[int], str],
) -> None:
    elope = bootstrap(settings, payments=RefundsBreak(settings.webhook_secret, settings.base_url))
    await prepare_mock_preset(elope)
    package_id, date = await sunrise_id(elope), future_date(83)
    first = paid_session(package_id=package_id, event_date=date)
    late = paid_session(package_id=package_id, event_date=date, email="late@example.com")
    for session in (first, late):  # the second is refunded: the refund call breaks
        raw, headers = sign(stripe_event("checkout.session.completed", session, f"evt_{session['id']}"))
        command = c.RecordStripeEvent(raw_body=raw, signature=headers["Stripe-Signature"],
                                      correlation_id="req-clean-1")
        if session is late:
            with pytest.raises(WebhookProcessingFailed):
                await elope.bus.handle(command)
        else:
            await elope.bus.handle(command)

    async with elope.uow() as tx:
        record = await tx.webhook_events.get_for_update(f"evt_{late['id']}")
    assert record is not None and record.status is WebhookStatus.FAILED
    assert record.last_error is not None
    assert "violates" not in record.last_error and "sk_live" not in record.last_error
    assert "DriverError" not in record.last_error
    assert "req-clean-1" in record.last_error  # where the log has the details
