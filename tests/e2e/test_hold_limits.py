"""SPEC §3: no one can block the calendar. One client, and one email, hold at most
HOLDS_PER_CLIENT dates at once (429 past it); a newer checkout of the same couple replaces
their older hold at once instead of counting against them."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx

from entrypoints.bootstrap import Elope
from tests.e2e.conftest import (
    MakeElope,
    MakeSettings,
    PaymentSide,
    assert_error,
    http_client,
    payment_side,
    unique_email,
)

Dates = Callable[[int], str]


async def start_checkout(client: httpx.AsyncClient, date: str, *, email: str | None = None,
                         forwarded_for: str | None = None) -> httpx.Response:
    headers = {"X-Forwarded-For": forwarded_for} if forwarded_for else {}
    return await client.post("/v1/bookings/checkout", headers=headers, json={
        "packageSlug": "sunrise-cliffs", "eventDate": date, "coupleName": "Ada & Grace",
        "email": email or unique_email(), "addOnIds": []})


async def reason(client: httpx.AsyncClient, date: str) -> Any:
    return (await client.get(f"/v1/availability?date={date}")).json()["reason"]


async def limited_app(make_settings: MakeSettings, make_elope: MakeElope, **more: Any) -> Elope:
    return await make_elope(make_settings(holds_per_client=2, **more))


async def test_a_client_past_its_holds_is_refused_and_holds_nothing_more(
    make_settings: MakeSettings, make_elope: MakeElope, future_date: Dates,
    fake_stripe: Any,
) -> None:
    app = await limited_app(make_settings, make_elope)
    async with http_client(app) as client:
        answers = [await start_checkout(client, future_date(40 + i)) for i in range(3)]

        assert [a.status_code for a in answers[:2]] == [201, 201]
        body = assert_error(answers[2], 429, "RATE_LIMITED")
        assert "holds 2 dates" in body["message"]
        # About the hold's 30 minutes: when the first of this client's holds frees up.
        assert 1700 <= int(answers[2].headers["retry-after"]) <= 1800
        assert await reason(client, future_date(42)) is None
        # The refused checkout opened no session at the provider at all.
        opened = payment_side(app, fake_stripe).sessions
        assert sorted(s["status"] for s in opened.values()) == ["open", "open"]


async def test_one_email_holds_at_most_the_limit_whatever_client_it_comes_from(
    make_settings: MakeSettings, make_elope: MakeElope, future_date: Dates,
) -> None:
    # The test transport's peer plays a trusted proxy, so each forwarded address is a client.
    app = await limited_app(make_settings, make_elope, trusted_proxies="127.0.0.1")
    email = unique_email()
    async with http_client(app) as client:
        answers = [await start_checkout(client, future_date(50 + i), email=email,
                                        forwarded_for=f"198.51.100.{i + 1}") for i in range(3)]

    assert [a.status_code for a in answers] == [201, 201, 429]
    assert "email already holds" in answers[2].json()["message"]


async def test_a_newer_checkout_of_the_same_couple_replaces_their_older_hold_at_once(
    make_settings: MakeSettings, make_elope: MakeElope, future_date: Dates, fake_stripe: Any,
) -> None:
    app = await limited_app(make_settings, make_elope)
    provider: PaymentSide = payment_side(app, fake_stripe)
    email = unique_email()
    async with http_client(app) as client:
        first = await start_checkout(client, future_date(60), email=email)
        other_couple = await start_checkout(client, future_date(61))
        # The couple changes their mind, twice: never refused, never more than one hold.
        second = await start_checkout(client, future_date(62), email=email.upper())
        third = await start_checkout(client, future_date(63), email=email)

        assert [r.status_code for r in (first, other_couple, second, third)] == [201] * 4
        assert await reason(client, future_date(60)) is None
        assert await reason(client, future_date(62)) is None
        assert await reason(client, future_date(61)) == "held"
        assert await reason(client, future_date(63)) == "held"
        replaced = [first.json()["sessionId"], second.json()["sessionId"]]
        assert [provider.sessions[s]["status"] for s in replaced] == ["expired", "expired"]
        assert provider.sessions[third.json()["sessionId"]]["status"] == "open"
