"""The per-client limits on PostgreSQL under real concurrency: checkouts from one client, or
with one email, sent at once and split across two instances on one database (each with its
own pool and in-process lanes) never pass the limit; the checkout rate limit is one budget."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable

import httpx
import pytest

from adapters.settable_clock import SettableClock
from entrypoints.asgi import prepare_mock_preset
from entrypoints.bootstrap import Elope, bootstrap
from entrypoints.settings import Settings
from tests.e2e.conftest import http_client, unique_email

AT_ONCE = 12
TwoInstances = Callable[..., Awaitable[tuple[Elope, Elope]]]


@pytest.fixture
async def two_instances(real_settings: Settings, clock: SettableClock,
                        ) -> AsyncIterator[TwoInstances]:
    started: list[Elope] = []

    async def make(**limits: object) -> tuple[Elope, Elope]:
        settings = real_settings.model_copy(update={"trusted_proxies": "127.0.0.1", **limits})
        for _ in range(2):
            app = bootstrap(settings, clock=clock)
            await app.start()
            started.append(app)
        await prepare_mock_preset(started[-2])
        return started[-2], started[-1]

    yield make
    for app in started:
        await app.stop()


async def checkout(client: httpx.AsyncClient, date: str, email: str,
                   forwarded_for: str) -> int:
    response = await client.post("/v1/bookings/checkout", headers={
        "X-Forwarded-For": forwarded_for}, json={
        "packageSlug": "sunrise-cliffs", "eventDate": date, "coupleName": "Ada & Grace",
        "email": email, "addOnIds": []})
    assert response.status_code in (201, 429), response.text
    return response.status_code


async def test_one_clients_simultaneous_checkouts_on_two_instances_hold_at_most_the_limit(
    two_instances: TwoInstances, future_date: Callable[[int], str],
) -> None:
    first, second = await two_instances(holds_per_client=2)
    async with http_client(first) as one, http_client(second) as other:
        answers = await asyncio.gather(*(
            checkout(one if i % 2 else other, future_date(30 + i), unique_email(), "198.51.100.7")
            for i in range(AT_ONCE)))

    assert sorted(answers) == [201, 201] + [429] * (AT_ONCE - 2)


async def test_one_emails_simultaneous_checkouts_from_many_clients_hold_at_most_the_limit(
    two_instances: TwoInstances, future_date: Callable[[int], str],
) -> None:
    first, second = await two_instances(holds_per_client=2)
    email = unique_email()
    async with http_client(first) as one, http_client(second) as other:
        answers = await asyncio.gather(*(
            checkout(one if i % 2 else other, future_date(60 + i), email, f"198.51.100.{i + 1}")
            for i in range(AT_ONCE)))

    assert sorted(answers) == [201, 201] + [429] * (AT_ONCE - 2)
