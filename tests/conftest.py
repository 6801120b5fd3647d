"""Fixtures shared by every tier: settings, a bootstrapped Elope on the memory set, an HTTP
client over the real ASGI app, an admin token, and Stripe-style signed webhooks."""

from __future__ import annotations

import datetime as dt
import os
import time
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from adapters.settable_clock import SettableClock
from adapters.stripe.webhook_verification import signed_event
from entrypoints.asgi import prepare_mock_preset
from entrypoints.bootstrap import Elope, bootstrap
from entrypoints.env_file import ENV_FILE_VARIABLE
from entrypoints.http.app import create_asgi
from entrypoints.settings import MOCK_WEBHOOK_SECRET, Settings, load_settings
from tests.fakes.stripe_server import FakeStripePort, fake_stripe_port

pytest_plugins = ["tests.postgres_fixtures"]

# A developer's `.env` (README, "Configuration") must not change a test: every settings load
# in this process, and in the processes it starts with its environment, reads no env file.
# Tests of the file itself (tests/unit/test_env_file.py) unset this where they need it.
os.environ[ENV_FILE_VARIABLE] = ""

ADMIN_EMAIL = "admin@example.com"
ADMIN_PASSWORD = "correct horse battery"
# Every request of a test comes from one client address (the ASGI test transport's), while
# the tests play many couples: the per-client limits are raised for them, and the tests of
# the limits set their own.
MANY_CLIENTS_AT_ONCE = {"holds_per_client": 10_000, "checkout_rate_limit": "100000/second",
                        "webhook_rate_limit": "100000/second"}


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return load_settings(
        adapters_preset="mock", mail_sink_dir=tmp_path / "mail", admin_email=ADMIN_EMAIL,
        admin_password=ADMIN_PASSWORD, mock_calendar_busy_dates="", **MANY_CLIENTS_AT_ONCE,
        dead_letter_dir=tmp_path / "dead-letters",
    )


@pytest.fixture(scope="session")
def stripe_port() -> Iterator[tuple[FakeStripePort, str]]:
    """One local Stripe-compatible server per test process (the real preset's Stripe); each
    test takes a fresh fake from it."""
    with fake_stripe_port() as served:
        yield served


@pytest.fixture
def clock() -> SettableClock:
    """Real time by default; tests that travel in time call `advance`."""
    return SettableClock(dt.datetime.now(dt.UTC))


@pytest.fixture
async def elope(settings: Settings, clock: SettableClock) -> Elope:
    app = bootstrap(settings, clock=clock)
    await prepare_mock_preset(app)
    return app


@pytest.fixture
async def client(elope: Elope) -> AsyncIterator[httpx.AsyncClient]:
    asgi = create_asgi(elope, run_background=False)
    transport = httpx.ASGITransport(app=asgi)
    async with httpx.AsyncClient(transport=transport, base_url="http://elope.test") as http:
        yield http


@pytest.fixture
async def admin_headers(client: httpx.AsyncClient) -> dict[str, str]:
    response = await client.post("/v1/admin/login",
                                 json={"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD})
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['token']}"}


@pytest.fixture
def future_date(clock: SettableClock) -> Callable[[int], str]:
    def make(days: int) -> str:
        return (clock.now().date() + dt.timedelta(days=days)).isoformat()
    return make


def stripe_event(event_type: str, data_object: dict[str, Any],
                 event_id: str | None = None) -> dict[str, Any]:
    return {
        "id": event_id or f"evt_{uuid.uuid4().hex}", "object": "event", "type": event_type,
        "created": int(time.time()), "data": {"object": data_object},
    }


def sign(payload: dict[str, Any], secret: str = MOCK_WEBHOOK_SECRET) -> tuple[bytes, dict[str, str]]:
    """The raw body and headers Stripe would send for this event."""
    raw, header = signed_event(payload, secret)
    return raw, {"Stripe-Signature": header, "Content-Type": "application/json"}


def paid_session(
    *, package_id: str, event_date: str, email: str = "couple@example.com",
    couple_name: str = "Ada & Grace", total_cents: int = 180_000,
    session_id: str | None = None, add_on_ids: str = "", add_on_prices: str = "",
) -> dict[str, Any]:
    """A completed, paid Checkout Session as the webhook carries it."""
    return {
        "id": session_id or f"cs_test_{uuid.uuid4().hex}", "object": "checkout.session",
        "status": "complete", "payment_status": "paid", "amount_total": total_cents,
        "payment_intent": f"pi_test_{uuid.uuid4().hex}",
        "metadata": {
            "packageId": package_id, "eventDate": event_date, "email": email,
            "coupleName": couple_name, "phone": "", "addOnIds": add_on_ids,
            "addOnPriceCents": add_on_prices, "packagePriceCents": str(total_cents),
            "totalCents": str(total_cents), "traceparent": "", "correlationId": "test",
        },
    }
