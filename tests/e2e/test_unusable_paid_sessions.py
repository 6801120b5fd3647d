"""Issue 10 (1): a paid session whose metadata no retry can make usable, for a date Elope's
own checkout held, is refunded and the couple told - never FAILED forever. A session that
names nothing Elope sold stays rejected (422, FAILED), as SPEC §4 says."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from typing import Any

import httpx

from entrypoints.bootstrap import Elope
from tests.conftest import paid_session, sign, stripe_event
from tests.e2e.conftest import (
    WEBHOOK,
    Checkout,
    PaymentSide,
    assert_error,
    bookings_on,
    inbox,
)


async def held_and_paid(checkout: Checkout, provider: PaymentSide, date: str,
                        email: str) -> tuple[str, dict[str, Any]]:
    """A checkout Elope accepted, paid at the provider; returns its session id and the paid
    event Stripe would send, for the test to spoil."""
    created = await checkout(date, email=email)
    assert created.status_code == 201, created.text
    session_id = created.json()["sessionId"]
    raw, _ = provider.pay(session_id)
    return session_id, json.loads(raw)


async def deliver(client: httpx.AsyncClient, elope: Elope, event: dict[str, Any],
                  **metadata: Any) -> httpx.Response:
    event = {**event, "id": f"evt_{uuid.uuid4().hex}"}
    event["data"]["object"]["metadata"].update(metadata)
    raw, headers = sign(event, elope.settings.webhook_secret)
    return await client.post(WEBHOOK, content=raw, headers=headers)


async def session_timeline(elope: Elope, session_id: str) -> list[str]:
    return [e.detail for e in await elope.queries.bookings.session_timeline(session_id)]


async def test_a_held_session_whose_name_cannot_be_stored_is_refunded_and_the_couple_told(
    client: httpx.AsyncClient, admin_headers: dict[str, str], elope: Elope, checkout: Checkout,
    provider: PaymentSide, future_date: Callable[[int], str],
) -> None:
    date = future_date(150)
    session_id, event = await held_and_paid(checkout, provider, date, "nul@example.com")

    response = await deliver(client, elope, event, coupleName="Ada\x00Grace")
    again = await deliver(client, elope, event, coupleName="Ada\x00Grace")

    assert response.status_code == 200, response.text
    assert response.json()["status"] == "PROCESSED"
    assert again.status_code == 200, again.text
    assert await bookings_on(client, admin_headers, date) == []
    assert await inbox(client, admin_headers, "FAILED") == []
    assert list(provider.refunds) == [f"refund:{session_id}"]
    assert (await client.get(f"/v1/availability?date={date}")).json()["available"] is True
    await elope.relay.drain()
    [apology] = sorted(elope.settings.mail_sink_dir.glob(f"session_{session_id}_refund.eml"))
    text = apology.read_text()
    assert "To: nul@example.com" in text and "could not be used" in text
    timeline = await session_timeline(elope, session_id)
    assert any("details cannot be used" in line and "refunded" in line for line in timeline)


async def test_a_held_session_whose_email_cannot_be_used_is_refunded_without_an_email(
    client: httpx.AsyncClient, admin_headers: dict[str, str], elope: Elope, checkout: Checkout,
    provider: PaymentSide, future_date: Callable[[int], str],
) -> None:
    date = future_date(151)
    session_id, event = await held_and_paid(checkout, provider, date, "gone@example.com")

    response = await deliver(client, elope, event, email="gone\x00@example.com")

    assert response.status_code == 200, response.text
    assert await inbox(client, admin_headers, "FAILED") == []
    assert list(provider.refunds) == [f"refund:{session_id}"]
    await elope.relay.drain()
    assert list(elope.settings.mail_sink_dir.glob(f"session_{session_id}_*")) == []
    timeline = await session_timeline(elope, session_id)
    assert any("no email could be sent" in line for line in timeline), timeline


async def test_a_session_elope_never_held_with_unusable_metadata_is_rejected_with_a_clean_error(
    client: httpx.AsyncClient, admin_headers: dict[str, str], elope: Elope,
    provider: PaymentSide, future_date: Callable[[int], str],
) -> None:
    session = paid_session(package_id="pkg_whatever", event_date=future_date(152),
                           couple_name="Ada\x00Grace")
    raw, headers = sign(stripe_event("checkout.session.completed", session),
                        elope.settings.webhook_secret)

    response = await client.post(WEBHOOK, content=raw, headers=headers)

    assert_error(response, 422, "WEBHOOK_VALIDATION_ERROR")
    [record] = await inbox(client, admin_headers, "FAILED")
    assert "coupleName" in record["lastError"] and "\x00" not in record["lastError"]
    assert provider.refunds == {}


async def test_a_held_session_whose_package_id_cannot_be_stored_is_refunded(
    client: httpx.AsyncClient, admin_headers: dict[str, str], elope: Elope, checkout: Checkout,
    provider: PaymentSide, future_date: Callable[[int], str],
) -> None:
    date = future_date(153)
    session_id, event = await held_and_paid(checkout, provider, date, "pkg@example.com")

    response = await deliver(client, elope, event, packageId="pkg\x00x")

    assert response.status_code == 200, response.text
    assert await inbox(client, admin_headers, "FAILED") == []
    assert list(provider.refunds) == [f"refund:{session_id}"]
    assert await bookings_on(client, admin_headers, date) == []


async def test_a_paid_session_with_an_id_longer_than_any_elope_made_is_rejected(
    client: httpx.AsyncClient, admin_headers: dict[str, str], elope: Elope,
    provider: PaymentSide, future_date: Callable[[int], str],
) -> None:
    session = paid_session(package_id="pkg_whatever", event_date=future_date(154))
    session["id"] = "cs_" + "x" * 300
    raw, headers = sign(stripe_event("checkout.session.completed", session),
                        elope.settings.webhook_secret)

    response = await client.post(WEBHOOK, content=raw, headers=headers)

    assert_error(response, 422, "WEBHOOK_VALIDATION_ERROR")
    assert provider.refunds == {}
