"""Helpers for the HTTP tier: both adapter presets, a couple's checkout and a paid booking.

Every test here runs once per preset (`preset` is parametrized "mock" and "real"): the same
requests, the same assertions. The real preset runs on PostgreSQL (a database emptied before
each test, see tests/postgres_fixtures.py) and talks to Stripe through the real adapter, over
HTTP, to a local Stripe-compatible server (tests/fakes/stripe_server.py); the mock preset uses
the in-process stand-in. Either way `provider` is the payment side a test plays: it pays a
session (signing `checkout.session.completed`, which the test POSTs to the webhook) and shows
the sessions and refunds it was asked for. Tests about the mock preset's dev routes say so
with `@mock_only`; nothing else may depend on the preset.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, Protocol

import httpx
import pytest
from argon2 import PasswordHasher as Argon2

from adapters.argon2_hasher import Argon2Hasher
from adapters.memory.unit_of_work import memory_uow_factory
from adapters.piccolo.unit_of_work import piccolo_uow_factory
from adapters.settable_clock import SettableClock
from adapters.stand_ins.local_checkout import LocalCheckout
from entrypoints.asgi import prepare_mock_preset
from entrypoints.bootstrap import Elope, bootstrap
from entrypoints.http.app import create_asgi
from entrypoints.settings import Settings, load_settings
from tests.conftest import ADMIN_EMAIL, ADMIN_PASSWORD, MANY_CLIENTS_AT_ONCE
from tests.fakes.stripe_server import FakeStripe

Checkout = Callable[..., Awaitable[httpx.Response]]
Book = Callable[..., Awaitable[dict[str, Any]]]
Pay = Callable[[str], Awaitable[dict[str, Any]]]
MakeSettings = Callable[..., Settings]
MakeElope = Callable[..., Awaitable[Elope]]

DEMO_SLUGS = ("city-hall-chic", "forest-vows", "sunrise-cliffs")
PRESETS = ["mock", "real"]
WEBHOOK = "/v1/webhooks/stripe"

# What an operator of the real preset must configure (SPEC §9); dummies, but distinct from
# the mock preset's built-in webhook secret, so signing with the wrong one would show.
REAL_JWT_SECRET = "e2e-real-preset-jwt-secret-0123456789abcdef"
REAL_STRIPE_SECRET_KEY = "sk_test_e2e_real_preset_dummy"
REAL_WEBHOOK_SECRET = "whsec_e2e_real_preset_dummy_secret"

# A test about a mock-preset feature (the dev routes) or about the real preset's lack of it.
mock_only = pytest.mark.parametrize("preset", ["mock"], indirect=True)
real_only = pytest.mark.parametrize("preset", ["real"], indirect=True)


def cheap_argon2_hasher() -> Argon2Hasher:
    """The product's argon2id hasher with the lowest cost parameters: same code, same hash
    format, a millisecond instead of a quarter second per test."""
    return Argon2Hasher(argon2=Argon2(time_cost=1, memory_cost=64, parallelism=1))


class PaymentSide(Protocol):
    """What a test does as the couple and reads as Stripe: the stand-in or the fake server."""

    @property
    def sessions(self) -> dict[str, dict[str, Any]]: ...

    @property
    def refunds(self) -> dict[str, dict[str, Any]]: ...

    def pay(self, session_id: str) -> tuple[bytes, str]: ...

    def event_for(self, session_id: str, event_type: str) -> tuple[bytes, str]: ...

    def refund_event(self, session_id: str, amount_refunded_cents: int) -> tuple[bytes, str]: ...


@pytest.fixture
def fake_stripe(preset: str, request: pytest.FixtureRequest) -> FakeStripe | None:
    """The real preset's Stripe (a fresh local fake per test); None in the mock preset."""
    if preset != "real":
        return None
    port, _ = request.getfixturevalue("stripe_port")
    fake: FakeStripe = port.fresh(REAL_STRIPE_SECRET_KEY, REAL_WEBHOOK_SECRET)
    return fake


def payment_side(app: Elope, fake_stripe: FakeStripe | None) -> PaymentSide:
    """`app`'s payment side: its in-process stand-in, or the fake Stripe server it calls."""
    side: PaymentSide | None = app.local_checkout or fake_stripe
    assert side is not None, "this test's Elope has a payment provider of its own"
    return side


def known_to_provider(side: PaymentSide, *sessions: dict[str, Any]) -> None:
    """Sessions a test built by hand, paid at the provider: the fake Stripe server must know
    them to refund them (the in-process stand-in refunds any payment)."""
    if isinstance(side, FakeStripe):
        for session in sessions:
            side.adopt_paid(session)


@pytest.fixture
def provider(elope: Elope, fake_stripe: FakeStripe | None) -> PaymentSide:
    return payment_side(elope, fake_stripe)


@pytest.fixture(params=PRESETS)
def preset(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def database_url(preset: str, request: pytest.FixtureRequest) -> str | None:
    """The emptied test database for the real preset; the mock preset needs none (and so
    mock-only runs need no PostgreSQL)."""
    if preset != "real":
        return None
    return str(request.getfixturevalue("clean_postgres"))


@pytest.fixture
def make_settings(preset: str, database_url: str | None, tmp_path: Path,
                  fake_stripe: FakeStripe | None, request: pytest.FixtureRequest) -> MakeSettings:
    """Settings of this test's preset, with `overrides` on top."""

    def make(**overrides: Any) -> Settings:
        values: dict[str, Any] = {
            "adapters_preset": preset, "mail_sink_dir": tmp_path / "mail",
            "admin_email": ADMIN_EMAIL, "admin_password": ADMIN_PASSWORD,
            "mock_calendar_busy_dates": "", **MANY_CLIENTS_AT_ONCE,
            "dead_letter_dir": tmp_path / "dead-letters",
        }
        if preset == "real":
            _, stripe_api_base = request.getfixturevalue("stripe_port")
            values.update(database_url=database_url, jwt_secret=REAL_JWT_SECRET,
                          stripe_secret_key=REAL_STRIPE_SECRET_KEY,
                          stripe_webhook_secret=REAL_WEBHOOK_SECRET,
                          stripe_api_base=stripe_api_base)
        return load_settings(**{**values, **overrides})

    return make


@pytest.fixture
def settings(make_settings: MakeSettings) -> Settings:
    return make_settings()


def preset_uow_factory(app: Elope) -> Callable[[], Any]:
    """The unit of work the preset itself would give `app` (to wrap it in a fake)."""
    if app.database is not None:
        return piccolo_uow_factory(app.database, app.metrics)
    assert app.store is not None
    return memory_uow_factory(app.store)


@pytest.fixture
async def make_elope(settings: Settings, clock: SettableClock) -> AsyncIterator[MakeElope]:
    """Build, start and seed an Elope of this test's preset (demo catalog and admin), with
    fakes in `overrides`; every one made is stopped at teardown.

    `wrap_uow` wraps each unit of work the preset makes (a slow or failing database) — the
    same wrapper then runs over the memory store and over PostgreSQL."""
    started: list[Elope] = []

    async def make(app_settings: Settings | None = None, *,
                   wrap_uow: Callable[[Any], Any] | None = None, **overrides: Any) -> Elope:
        inner: list[Callable[[], Any]] = []
        if wrap_uow is not None:
            overrides["uow"] = lambda: wrap_uow(inner[0]())
        overrides.setdefault("hasher", cheap_argon2_hasher())
        app = bootstrap(app_settings or settings, clock=clock, **overrides)
        inner.append(preset_uow_factory(app))
        await app.start()
        started.append(app)
        await prepare_mock_preset(app)
        return app

    try:
        yield make
    finally:
        for app in reversed(started):
            await app.stop()


@pytest.fixture
async def elope(make_elope: MakeElope) -> Elope:
    return await make_elope()


@asynccontextmanager
async def http_client(app: Elope) -> AsyncIterator[httpx.AsyncClient]:
    """An HTTP client over the real ASGI app of `app` (as the shared `client` fixture)."""
    transport = httpx.ASGITransport(app=create_asgi(app, run_background=False))
    async with httpx.AsyncClient(transport=transport, base_url="http://elope.test") as http:
        yield http


class FlakyRefunds(LocalCheckout):
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


async def inbox(client: httpx.AsyncClient, headers: dict[str, str],
                status: str | None = None) -> list[dict[str, Any]]:
    """The admin's view of the webhook inbox (first 200 events), optionally by status."""
    query = f"&status={status}" if status else ""
    response = await client.get(f"/v1/admin/webhooks?limit=200{query}", headers=headers)
    assert response.status_code == 200, response.text
    return list(response.json()["items"])


async def bookings_on(client: httpx.AsyncClient, headers: dict[str, str],
                      date: str) -> list[dict[str, Any]]:
    """The admin's view of the bookings for one event date."""
    response = await client.get(f"/v1/admin/bookings?from={date}&to={date}", headers=headers)
    assert response.status_code == 200, response.text
    return list(response.json()["items"])


async def demo_package(client: httpx.AsyncClient, slug: str = "sunrise-cliffs") -> dict[str, Any]:
    response = await client.get(f"/v1/packages/{slug}")
    assert response.status_code == 200, response.text
    return response.json()


async def pay_session(client: httpx.AsyncClient, app: Elope, provider: PaymentSide,
                      session_id: str) -> dict[str, Any]:
    """The couple pays at the provider, whose signed `checkout.session.completed` reaches
    the webhook; returns the booking it made, as GET /v1/bookings/{id} shows it."""
    raw, signature = provider.pay(session_id)
    delivered = await client.post(WEBHOOK, content=raw, headers={
        "Stripe-Signature": signature, "Content-Type": "application/json"})
    assert delivered.status_code == 200, delivered.text
    async with app.uow() as tx:
        booking = await tx.bookings.by_session(session_id)
    assert booking is not None, f"the paid webhook of {session_id} made no booking"
    shown = await client.get(f"/v1/bookings/{booking.id}")
    assert shown.status_code == 200, shown.text
    return dict(shown.json())


@pytest.fixture
def pay(client: httpx.AsyncClient, elope: Elope, provider: PaymentSide) -> Pay:
    """Pay a checkout session through the signed webhook (same path on both presets)."""

    async def make(session_id: str) -> dict[str, Any]:
        return await pay_session(client, elope, provider, session_id)

    return make


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
def book(checkout: Checkout, pay: Pay) -> Book:
    """A paid booking for a date: checkout, then the provider's signed paid webhook."""

    async def make(event_date: str, **fields: Any) -> dict[str, Any]:
        created = await checkout(event_date, **fields)
        assert created.status_code == 201, created.text
        return await pay(created.json()["sessionId"])

    return make
