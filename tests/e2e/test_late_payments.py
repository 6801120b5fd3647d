"""A payment that arrives after its hold lapsed, for a package deleted meanwhile: the couple's
money was taken, so the webhook must end in a booking or a refund - never in FAILED forever."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import httpx

from adapters.settable_clock import SettableClock
from entrypoints.bootstrap import Elope
from tests.conftest import paid_session, sign, stripe_event
from tests.e2e.conftest import WEBHOOK, Checkout, PaymentSide, assert_error, bookings_on, inbox


async def short_lived_package(client: httpx.AsyncClient, headers: dict[str, str]) -> dict[str, Any]:
    response = await client.post("/v1/admin/packages", headers=headers, json={
        "slug": "short-lived", "title": "Short lived", "description": "", "priceCents": 50_000})
    assert response.status_code == 201, response.text
    return dict(response.json())


async def test_a_late_payment_for_a_package_deleted_after_its_hold_lapsed_is_refunded(
    client: httpx.AsyncClient, admin_headers: dict[str, str], elope: Elope, clock: SettableClock,
    checkout: Checkout, provider: PaymentSide, future_date: Callable[[int], str],
) -> None:
    package = await short_lived_package(client, admin_headers)
    date = future_date(170)
    created = await checkout(date, slug="short-lived", email="late@example.com")
    assert created.status_code == 201, created.text
    session_id = created.json()["sessionId"]
    raw, signature = provider.pay(session_id)  # paid in time; the webhook is late
    clock.advance(dt.timedelta(minutes=elope.settings.checkout_hold_minutes + 1))
    deleted = await client.delete(f"/v1/admin/packages/{package['id']}", headers=admin_headers)
    assert deleted.status_code == 204, deleted.text

    headers = {"Stripe-Signature": signature, "Content-Type": "application/json"}
    response = await client.post(WEBHOOK, content=raw, headers=headers)
    again = await client.post(WEBHOOK, content=raw, headers=headers)

    assert response.status_code == 200, response.text
    assert response.json()["status"] == "PROCESSED"
    assert again.status_code == 200, again.text
    assert await bookings_on(client, admin_headers, date) == []
    assert await inbox(client, admin_headers, "FAILED") == []
    refunds = provider.refunds
    assert list(refunds) == [f"refund:{session_id}"]
    assert refunds[f"refund:{session_id}"]["amount"] == 50_000
    await elope.relay.drain()
    [apology] = sorted(elope.settings.mail_sink_dir.glob(f"session_{session_id}_refund.eml"))
    text = apology.read_text()
    assert "To: late@example.com" in text and "no longer offered" in text
    available = (await client.get(f"/v1/availability?date={date}")).json()
    assert available["available"] is True


async def test_a_paid_session_naming_a_package_elope_never_sold_is_rejected_and_stored_failed(
    client: httpx.AsyncClient, admin_headers: dict[str, str], elope: Elope,
    provider: PaymentSide, future_date: Callable[[int], str],
) -> None:
    session = paid_session(package_id="pkg_never_sold", event_date=future_date(171))
    raw, headers = sign(stripe_event("checkout.session.completed", session),
                        elope.settings.webhook_secret)

    response = await client.post(WEBHOOK, content=raw, headers=headers)

    assert_error(response, 422, "WEBHOOK_VALIDATION_ERROR")
    [record] = await inbox(client, admin_headers, "FAILED")
    assert "pkg_never_sold" in record["lastError"]
    assert provider.refunds == {}
