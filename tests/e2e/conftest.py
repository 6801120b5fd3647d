"""Helpers for the HTTP tier: a couple's checkout and a paid booking, in one call each."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest
from argon2 import PasswordHasher as Argon2

from adapters.argon2_hasher import Argon2Hasher
from adapters.memory.fake_payments import FakePayments
from adapters.memory.settable_clock import SettableClock
from entrypoints.asgi import prepare_mock_preset
from entrypoints.bootstrap import Elope, bootstrap
from entrypoints.http.app import create_asgi
from entrypoints.settings import Settings

Checkout = Callable[..., Awaitable[httpx.Response]]
Book = Callable[..., Awaitable[dict[str, Any]]]

DEMO_SLUGS = ("city-hall-chic", "forest-vows", "sunrise-cliffs")


class CheapArgon2Hasher(Argon2Hasher):
    """The product's argon2id hasher with the lowest cost parameters: same code, same hash
    format, a millisecond instead of a quarter second per test."""

    def __init__(self) -> None:
        self._argon2 = Argon2(time_cost=1, memory_cost=64, parallelism=1)


async def make_elope(settings: Settings, clock: SettableClock, **overrides: Any) -> Elope:
    """The mock preset as the shared `elope` fixture builds it, with fakes in `overrides`."""
    app = bootstrap(settings, clock=clock, hasher=CheapArgon2Hasher(), **overrides)
    await prepare_mock_preset(app)
    return app


@pytest.fixture
async def elope(settings: Settings, clock: SettableClock) -> Elope:
    return await make_elope(settings, clock)


@asynccontextmanager
async def http_client(app: Elope) -> AsyncIterator[httpx.AsyncClient]:
    """An HTTP client over the real ASGI app of `app` (as the shared `client` fixture)."""
    transport = httpx.ASGITransport(app=create_asgi(app, run_background=False))
    async with httpx.AsyncClient(transport=transport, base_url="http://elope.test") as http:
        yield http


class FlakyRefunds(FakePayments):
    """The local Stripe stand-in whose refund endpoint is down while `down` is true."""

    down = True

    async def refund(self, payment_intent_id: str, amount_cents: int,
                     idempotency_key: str) -> str:
        if self.down:
            raise ConnectionError("refund endpoint timed out")
        return await super().refund(payment_intent_id, amount_cents, idempotency_key)


def unique_email(prefix: str = "couple") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}@example.com"


def assert_error(response: httpx.Response, status: int, code: str) -> dict[str, Any]:
    """The §8 error body: exactly error, message and requestId, the id also in the header."""
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"error", "message", "requestId"}, body
    assert body["error"] == code
    assert isinstance(body["message"], str) and body["message"]
    assert body["requestId"] == response.headers["x-request-id"]
    return body


async def demo_package(client: httpx.AsyncClient, slug: str = "sunrise-cliffs") -> dict[str, Any]:
    response = await client.get(f"/v1/packages/{slug}")
    assert response.status_code == 200, response.text
    return response.json()


@pytest.fixture
def checkout(client: httpx.AsyncClient) -> Checkout:
    """POST a checkout for a date; the couple is new each time unless told otherwise."""

    async def make(event_date: str, *, slug: str = "sunrise-cliffs",
                   add_on_ids: list[str] | None = None, **fields: Any) -> httpx.Response:
        body = {"packageSlug": slug, "eventDate": event_date, "coupleName": "Ada & Grace",
                "email": unique_email(), "addOnIds": add_on_ids or [], **fields}
        return await client.post("/v1/bookings/checkout", json=body)

    return make


@pytest.fixture
def book(client: httpx.AsyncClient, checkout: Checkout) -> Book:
    """A paid booking for a date: checkout, then the mock provider's paid webhook."""

    async def make(event_date: str, **fields: Any) -> dict[str, Any]:
        created = await checkout(event_date, **fields)
        assert created.status_code == 201, created.text
        paid = await client.post("/v1/dev/simulate-checkout-completed",
                                 json={"sessionId": created.json()["sessionId"]})
        assert paid.status_code == 200, paid.text
        return paid.json()

    return make
