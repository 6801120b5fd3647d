"""SPEC §4's outcome table, over HTTP: POST /v1/webhooks/stripe with Stripe-signed bodies."""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
import stripe

from entrypoints.bootstrap import Elope
from entrypoints.settings import Settings
from tests.conftest import ADMIN_EMAIL, ADMIN_PASSWORD, paid_session, sign, stripe_event
from tests.e2e.conftest import (
    MakeElope,
    PaymentSide,
    bookings_on,
    http_client,
    inbox,
    known_to_provider,
)

WEBHOOK = "/v1/webhooks/stripe"


async def sunrise_id(client: httpx.AsyncClient) -> str:
    return str((await client.get("/v1/packages/sunrise-cliffs")).json()["id"])


async def deliver(client: httpx.AsyncClient, settings: Settings,
                  payload: dict[str, Any]) -> httpx.Response:
    raw, headers = sign(payload, settings.webhook_secret)
    return await client.post(WEBHOOK, content=raw, headers=headers)


async def mail(app: Elope, suffix: str) -> list[Path]:
    """The emails sent so far, once the relay beside requests has run."""
    await app.relay.drain()
    return sorted(app.settings.mail_sink_dir.glob(f"*{suffix}.eml"))


def assert_error(response: httpx.Response, status: int, code: str) -> None:
    assert response.status_code == status, response.text
    assert response.json()["error"] == code


async def test_a_first_delivery_books_the_date_and_is_processed(
    client: httpx.AsyncClient, admin_headers: dict[str, str], settings: Settings, elope: Elope,
    future_date: Callable[[int], str],
) -> None:
    event = stripe_event("checkout.session.completed",
                         paid_session(package_id=await sunrise_id(client), event_date=future_date(70)))
    response = await deliver(client, settings, event)
    assert response.status_code == 200, response.text
    assert response.json()["status"] == "PROCESSED"
    [record] = await inbox(client, admin_headers)
    assert (record["eventId"], record["status"], record["attempts"]) == (event["id"], "PROCESSED", 1)
    [booking] = await bookings_on(client, admin_headers, future_date(70))
    assert booking["status"] == "PAID"
    assert [p.name for p in await mail(elope, "confirmation")] == [
        f"booking_{booking['id']}_confirmation.eml"]


async def test_a_redelivery_is_acknowledged_and_counted_without_a_second_effect(
    client: httpx.AsyncClient, admin_headers: dict[str, str], settings: Settings, elope: Elope,
    future_date: Callable[[int], str],
) -> None:
    event = stripe_event("checkout.session.completed",
                         paid_session(package_id=await sunrise_id(client), event_date=future_date(71)))
    raw, headers = sign(event, settings.webhook_secret)
    for _ in range(3):
        response = await client.post(WEBHOOK, content=raw, headers=headers)
        assert response.status_code == 200, response.text
    [record] = await inbox(client, admin_headers)
    assert (record["status"], record["attempts"]) == ("PROCESSED", 3)
    assert len(await bookings_on(client, admin_headers, future_date(71))) == 1
    assert len(await mail(elope, "confirmation")) == 1


def unsigned(raw: bytes, headers: dict[str, str], secret: str) -> tuple[bytes, dict[str, str]]:
    return raw, {"Content-Type": "application/json"}


def wrongly_signed(raw: bytes, headers: dict[str, str],
                   secret: str) -> tuple[bytes, dict[str, str]]:
    return raw, sign(json.loads(raw), secret="whsec_someone_else")[1]


def tampered(raw: bytes, headers: dict[str, str], secret: str) -> tuple[bytes, dict[str, str]]:
    assert b"180000" in raw
    return raw.replace(b"180000", b"100", 1), headers


def stale(raw: bytes, headers: dict[str, str], secret: str) -> tuple[bytes, dict[str, str]]:
    ten_minutes_ago = int(time.time()) - 600  # beyond the 300 s tolerance: a replayed capture
    header = stripe.WebhookSignature.generate_signature_header(
        raw.decode(), secret, timestamp=ten_minutes_ago)
    return raw, {**headers, "Stripe-Signature": header}


@pytest.mark.parametrize("forge", [unsigned, wrongly_signed, tampered, stale])
async def test_a_delivery_that_fails_the_signature_check_is_rejected_and_nothing_is_recorded(
    client: httpx.AsyncClient, admin_headers: dict[str, str], settings: Settings,
    future_date: Callable[[int], str], forge: Callable[..., tuple[bytes, dict[str, str]]],
) -> None:
    event = stripe_event("checkout.session.completed",
                         paid_session(package_id=await sunrise_id(client), event_date=future_date(72)))
    raw, headers = forge(*sign(event, settings.webhook_secret), settings.webhook_secret)
    response = await client.post(WEBHOOK, content=raw, headers=headers)
    assert_error(response, 422, "WEBHOOK_VALIDATION_ERROR")
    assert await inbox(client, admin_headers) == []
    assert await bookings_on(client, admin_headers, future_date(72)) == []


async def test_invalid_metadata_is_rejected_and_stored_failed(
    client: httpx.AsyncClient, settings: Settings, admin_headers: dict[str, str],
) -> None:
    session = paid_session(package_id=await sunrise_id(client), event_date="next summer")
    response = await deliver(client, settings, stripe_event("checkout.session.completed", session))
    assert_error(response, 422, "WEBHOOK_VALIDATION_ERROR")
    [record] = await inbox(client, admin_headers, "FAILED")
    assert record["lastError"]


class BookingsFailOnce:
    """The bookings table of a database that drops the connection on the first insert."""

    def __init__(self, inner: Any, trips: list[str]) -> None:
        self._inner = inner
        self._trips = trips

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)

    async def add(self, booking: Any) -> None:
        if self._trips:
            raise ConnectionResetError(self._trips.pop())
        await self._inner.add(booking)


class BookingsFailOnceUnitOfWork:
    """The preset's unit of work whose bookings table fails once (see BookingsFailOnce)."""

    def __init__(self, inner: Any, trips: list[str]) -> None:
        self._inner = inner
        self._trips = trips

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)

    async def __aenter__(self) -> Any:
        tx = await self._inner.__aenter__()
        # After entering: the real preset's repositories exist only inside the transaction.
        tx.bookings = BookingsFailOnce(tx.bookings, self._trips)
        return tx

    async def __aexit__(self, *exc_info: Any) -> Any:
        return await self._inner.__aexit__(*exc_info)


@pytest.fixture
async def flaky_app(make_elope: MakeElope) -> Elope:
    trips = ["connection to the database was lost"]
    return await make_elope(wrap_uow=lambda tx: BookingsFailOnceUnitOfWork(tx, trips))


@pytest.fixture
async def flaky_client(flaky_app: Elope) -> AsyncIterator[httpx.AsyncClient]:
    async with http_client(flaky_app) as http:
        yield http


async def test_a_transient_failure_is_stored_failed_and_the_next_delivery_books(
    flaky_client: httpx.AsyncClient, flaky_app: Elope, future_date: Callable[[int], str],
) -> None:
    client, elope, settings = flaky_client, flaky_app, flaky_app.settings
    login = await client.post("/v1/admin/login", json={"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD})
    admin = {"Authorization": f"Bearer {login.json()['token']}"}
    event = stripe_event("checkout.session.completed",
                         paid_session(package_id=await sunrise_id(client), event_date=future_date(73)))
    raw, headers = sign(event, settings.webhook_secret)

    first = await client.post(WEBHOOK, content=raw, headers=headers)
    assert_error(first, 500, "WEBHOOK_PROCESSING_ERROR")
    [failed] = await inbox(client, admin, "FAILED")
    assert failed["eventId"] == event["id"] and failed["lastError"]
    assert await bookings_on(client, admin, future_date(73)) == []

    again = await client.post(WEBHOOK, content=raw, headers=headers)
    assert again.status_code == 200, again.text
    [record] = await inbox(client, admin)
    assert (record["status"], record["attempts"], record["lastError"]) == ("PROCESSED", 2, None)
    assert len(await bookings_on(client, admin, future_date(73))) == 1
    assert len(await mail(elope, "confirmation")) == 1


async def test_a_date_taken_while_the_second_couple_paid_is_refunded_with_an_apology(
    provider: PaymentSide,
    client: httpx.AsyncClient, admin_headers: dict[str, str], settings: Settings,
    elope: Elope, future_date: Callable[[int], str],
) -> None:
    package_id, date = await sunrise_id(client), future_date(74)
    winner = paid_session(package_id=package_id, event_date=date)
    late = paid_session(package_id=package_id, event_date=date, email="late@example.com")
    known_to_provider(provider, winner, late)
    first = await deliver(client, settings, stripe_event("checkout.session.completed", winner))
    assert first.status_code == 200, first.text
    response = await deliver(client, settings, stripe_event("checkout.session.completed", late))
    assert response.status_code == 200, response.text
    assert response.json()["status"] == "PROCESSED"
    refunds = provider.refunds
    assert list(refunds) == [f"refund:{late['id']}"]
    refund = refunds[f"refund:{late['id']}"]
    assert (refund["payment_intent"], refund["amount"]) == (late["payment_intent"], 180_000)
    [booking] = await bookings_on(client, admin_headers, date)
    assert booking["email"] == "couple@example.com"
    [apology] = await mail(elope, "refund")
    assert "To: late@example.com" in apology.read_text()
    assert len(await mail(elope, "confirmation")) == 1


async def test_an_expired_session_gives_its_date_back(
    client: httpx.AsyncClient, settings: Settings, future_date: Callable[[int], str],
) -> None:
    date = future_date(75)
    created = await client.post("/v1/bookings/checkout", json={
        "packageSlug": "sunrise-cliffs", "eventDate": date, "coupleName": "Ada & Grace",
        "email": "ada@example.com", "addOnIds": []})
    assert created.status_code == 201, created.text
    held = (await client.get(f"/v1/availability?date={date}")).json()
    assert (held["available"], held["reason"]) == (False, "held")
    session = {"id": created.json()["sessionId"], "object": "checkout.session",
               "status": "expired", "payment_status": "unpaid", "metadata": {}}
    expired = await deliver(client, settings, stripe_event("checkout.session.expired", session))
    assert expired.status_code == 200, expired.text
    free = (await client.get(f"/v1/availability?date={date}")).json()
    assert (free["available"], free["reason"]) == (True, None)


async def test_an_unknown_event_type_is_recorded_and_acknowledged(
    client: httpx.AsyncClient, settings: Settings, admin_headers: dict[str, str],
) -> None:
    event = stripe_event("customer.created", {"id": "cus_1", "object": "customer"})
    response = await deliver(client, settings, event)
    assert response.status_code == 200, response.text
    assert [(r["eventId"], r["eventType"]) for r in await inbox(client, admin_headers)] == [
        (event["id"], "customer.created")]


async def test_an_unpaid_completion_waits_for_the_async_payment_to_succeed(
    client: httpx.AsyncClient, settings: Settings, admin_headers: dict[str, str],
    future_date: Callable[[int], str],
) -> None:
    date = future_date(76)
    session = paid_session(package_id=await sunrise_id(client), event_date=date)
    pending = {**session, "payment_status": "unpaid"}
    unpaid = await deliver(client, settings, stripe_event("checkout.session.completed", pending))
    assert unpaid.status_code == 200, unpaid.text
    assert await bookings_on(client, admin_headers, date) == []
    succeeded = stripe_event("checkout.session.async_payment_succeeded", session)
    assert (await deliver(client, settings, succeeded)).status_code == 200
    [booking] = await bookings_on(client, admin_headers, date)
    assert booking["status"] == "PAID"
