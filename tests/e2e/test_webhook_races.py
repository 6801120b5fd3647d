"""Real concurrency through the ASGI app: many webhook deliveries at the same moment, retried
the way Stripe retries, still make exactly one booking per date and one email per effect.

On both presets, each as it is and with a database's latency added to every transaction."""

from __future__ import annotations

import asyncio
import random
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from entrypoints.bootstrap import Elope
from entrypoints.settings import Settings
from tests.conftest import paid_session, sign, stripe_event
from tests.e2e.conftest import MakeElope, PaymentSide, bookings_on, inbox, known_to_provider

WEBHOOK = "/v1/webhooks/stripe"
MAX_RETRY_ROUNDS = 10


class SlowUnitOfWork:
    """The preset's unit of work with extra latency: every transaction waits a moment before
    it starts, so concurrent requests interleave at every step instead of running through."""

    def __init__(self, inner: Any) -> None:
        self._inner = inner

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)

    async def __aenter__(self) -> Any:
        await asyncio.sleep(random.uniform(0, 0.002))
        return await self._inner.__aenter__()

    async def __aexit__(self, *exc_info: Any) -> Any:
        return await self._inner.__aexit__(*exc_info)


@pytest.fixture(params=["as_is", "with_latency"])
async def elope(request: pytest.FixtureRequest, make_elope: MakeElope) -> Elope:
    """Overrides the shared fixture (and so the app behind `client`) with both speeds."""
    if request.param == "with_latency":
        return await make_elope(wrap_uow=SlowUnitOfWork)
    return await make_elope()


def ok(response: httpx.Response) -> bool:
    return 200 <= response.status_code < 300


async def booking_exists(elope: Elope, session_id: str) -> bool:
    async with elope.uow() as tx:
        return await tx.bookings.by_session(session_id) is not None


async def refunded(provider: PaymentSide, session_id: str) -> bool:
    return f"refund:{session_id}" in provider.refunds


async def deliver_like_stripe(
    client: httpx.AsyncClient, elope: Elope, provider: PaymentSide,
    deliveries: list[tuple[str, bytes, dict[str, str]]],
) -> tuple[list[httpx.Response], int]:
    """POST every delivery at once; re-POST each one answered non-2xx, round after round,
    until all are 2xx. A 2xx must mean the work is done at the moment it is answered.
    Returns the first round's answers and how many POSTs were made in all."""

    async def post(session_id: str, raw: bytes, headers: dict[str, str]) -> httpx.Response:
        response = await client.post(WEBHOOK, content=raw, headers=headers)
        if ok(response):
            assert response.json()["status"] in ("PROCESSED", "DUPLICATE"), response.text
            done = await booking_exists(elope, session_id) or await refunded(provider, session_id)
            assert done, f"{response.status_code} answered before the work was done"
        else:
            # Not done yet, so Stripe must retry: never a rejection of a valid event.
            assert response.status_code not in (400, 422), response.text
        return response

    first = list(await asyncio.gather(*(post(*d) for d in deliveries)))
    posts = len(first)
    waiting = [d for d, r in zip(deliveries, first, strict=True) if not ok(r)]
    for _ in range(MAX_RETRY_ROUNDS):
        if not waiting:
            break
        await asyncio.sleep(0.01)
        again = await asyncio.gather(*(post(*d) for d in waiting))
        posts += len(again)
        waiting = [d for d, r in zip(waiting, again, strict=True) if not ok(r)]
    assert waiting == [], f"{len(waiting)} deliveries never got a 2xx"
    return first, posts


async def sunrise_id(client: httpx.AsyncClient) -> str:
    return str((await client.get("/v1/packages/sunrise-cliffs")).json()["id"])


async def test_fifty_simultaneous_deliveries_of_one_event_make_one_booking_and_one_email(
    provider: PaymentSide,
    client: httpx.AsyncClient, elope: Elope, admin_headers: dict[str, str], settings: Settings,
    future_date: Callable[[int], str],
) -> None:
    date = future_date(90)
    session = paid_session(package_id=await sunrise_id(client), event_date=date)
    event = stripe_event("checkout.session.completed", session)
    raw, headers = sign(event, settings.webhook_secret)

    first, posts = await deliver_like_stripe(client, elope, provider,
                                       [(session["id"], raw, headers)] * 50)

    assert sum(ok(r) for r in first) >= 1
    [booking] = await bookings_on(client, admin_headers, date)
    assert booking["status"] == "PAID"
    await elope.relay.drain()
    confirmations = list(settings.mail_sink_dir.glob("*confirmation.eml"))
    assert [p.name for p in confirmations] == [f"booking_{booking['id']}_confirmation.eml"]
    [record] = await inbox(client, admin_headers)
    assert (record["eventId"], record["status"]) == (event["id"], "PROCESSED")
    assert record["attempts"] == posts
    assert provider.refunds == {}


async def test_twenty_couples_paying_for_one_date_at_once_leave_one_booking_and_nineteen_refunds(
    provider: PaymentSide,
    client: httpx.AsyncClient, elope: Elope, admin_headers: dict[str, str], settings: Settings,
    future_date: Callable[[int], str],
) -> None:
    date, package_id = future_date(91), await sunrise_id(client)
    sessions = [paid_session(package_id=package_id, event_date=date,
                             email=f"couple{i}@example.com") for i in range(20)]
    deliveries = []
    for session in sessions:
        raw, headers = sign(stripe_event("checkout.session.completed", session),
                            settings.webhook_secret)
        deliveries.append((str(session["id"]), raw, headers))

    known_to_provider(provider, *sessions)
    await deliver_like_stripe(client, elope, provider, deliveries)

    [booking] = await bookings_on(client, admin_headers, date)
    assert booking["status"] == "PAID"
    winner = next(s for s in sessions if s["metadata"]["email"] == booking["email"])
    losers = [s for s in sessions if s is not winner]
    refunds = provider.refunds
    assert set(refunds) == {f"refund:{s['id']}" for s in losers}
    assert len(refunds) == 19
    assert {r["payment_intent"] for r in refunds.values()} == {s["payment_intent"] for s in losers}
    await elope.relay.drain()
    apologies = sorted(p.name for p in settings.mail_sink_dir.glob("*_refund.eml"))
    assert apologies == sorted(f"session_{s['id']}_refund.eml" for s in losers)
    assert len(list(settings.mail_sink_dir.glob("*confirmation.eml"))) == 1
    assert await inbox(client, admin_headers, "FAILED") == []
    statuses = {r["status"] for r in await inbox(client, admin_headers)}
    assert statuses == {"PROCESSED"}
    available = (await client.get(f"/v1/availability?date={date}")).json()
    assert (available["available"], available["reason"]) == (False, "booked")
