"""SPEC §3, §8 and §9: checkout creation and webhook deliveries are rate-limited per client
(CHECKOUT_RATE_LIMIT, WEBHOOK_RATE_LIMIT); past the budget, 429 RATE_LIMITED with
Retry-After. In the real preset the budget is in PostgreSQL: one for all instances."""

from __future__ import annotations

from collections.abc import Callable

import httpx

from application.ports.rate_limits import RateLimit
from domain.errors import StorageUnavailable
from tests.e2e.conftest import (
    WEBHOOK,
    MakeElope,
    MakeSettings,
    assert_error,
    http_client,
    real_only,
    unique_email,
)

Dates = Callable[[int], str]


class CountersDown:
    """A rate limiter whose storage is unreachable (a database outage)."""

    async def hit(self, limit: RateLimit, key: str) -> float | None:
        raise StorageUnavailable("the database is unavailable")

    async def blocked_for(self, limit: RateLimit, key: str) -> float | None:
        raise StorageUnavailable("the database is unavailable")


async def start_checkout(client: httpx.AsyncClient, date: str,
                         forwarded_for: str | None = None) -> httpx.Response:
    headers = {"X-Forwarded-For": forwarded_for} if forwarded_for else {}
    return await client.post("/v1/bookings/checkout", headers=headers, json={
        "packageSlug": "sunrise-cliffs", "eventDate": date, "coupleName": "Ada & Grace",
        "email": unique_email(), "addOnIds": []})


async def test_checkouts_past_the_clients_rate_are_refused_with_retry_after(
    make_settings: MakeSettings, make_elope: MakeElope, future_date: Dates,
) -> None:
    # An hour's budget: the test cannot straddle two windows by bad luck.
    app = await make_elope(make_settings(checkout_rate_limit="3/hour",
                                         trusted_proxies="127.0.0.1"))
    async with http_client(app) as client:
        answers = [await start_checkout(client, future_date(40 + i), "198.51.100.1")
                   for i in range(4)]
        another_client = await start_checkout(client, future_date(50), "198.51.100.2")
        # A malformed checkout counts too: the budget is spent before the body is read.
        spam = await client.post("/v1/bookings/checkout", content=b"{",
                                 headers={"X-Forwarded-For": "198.51.100.1"})

    assert [a.status_code for a in answers[:3]] == [201, 201, 201]
    assert_error(answers[3], 429, "RATE_LIMITED")
    assert 1 <= int(answers[3].headers["retry-after"]) <= 3600
    assert another_client.status_code == 201
    assert_error(spam, 429, "RATE_LIMITED")
    assert answers[3].json()["message"].startswith("too many checkout requests")


async def test_webhook_deliveries_have_their_own_generous_rate(
    make_settings: MakeSettings, make_elope: MakeElope,
) -> None:
    app = await make_elope(make_settings(webhook_rate_limit="2/hour"))
    async with http_client(app) as client:
        answers = [await client.post(WEBHOOK, content=b"{}") for _ in range(3)]
        checkout_still_open = await start_checkout(client, "2099-01-01")

    # Unsigned, so refused for its signature (422) - until the budget is spent.
    assert [a.status_code for a in answers] == [422, 422, 429]
    assert "retry-after" in answers[2].headers
    assert checkout_still_open.status_code != 429


async def test_a_webhook_rate_of_zero_is_no_limit(
    make_settings: MakeSettings, make_elope: MakeElope,
) -> None:
    app = await make_elope(make_settings(webhook_rate_limit="0"))
    async with http_client(app) as client:
        answers = [(await client.post(WEBHOOK, content=b"{}")).status_code for _ in range(20)]

    assert answers == [422] * 20


@real_only
async def test_two_instances_on_one_database_share_one_checkout_budget(
    make_settings: MakeSettings, make_elope: MakeElope, future_date: Dates,
) -> None:
    settings = make_settings(checkout_rate_limit="4/hour")
    first, second = await make_elope(settings), await make_elope(settings)
    async with http_client(first) as one, http_client(second) as other:
        answers = [(await start_checkout(one if i % 2 else other, future_date(70 + i))).status_code
                   for i in range(6)]

    assert answers == [201, 201, 201, 201, 429, 429]


async def test_a_checkout_is_not_refused_because_its_counter_cannot_be_reached(
    make_settings: MakeSettings, make_elope: MakeElope, future_date: Dates,
) -> None:
    # Open, not shut: a counter outage must not turn couples away (the route answers a real
    # database outage its own way). Webhook deliveries are counted in the instance's memory,
    # which cannot be out of reach.
    app = await make_elope(make_settings(checkout_rate_limit="1/hour"), limiter=CountersDown())
    async with http_client(app) as client:
        answers = [(await start_checkout(client, future_date(80 + i))).status_code
                   for i in range(3)]

    assert answers == [201, 201, 201]
