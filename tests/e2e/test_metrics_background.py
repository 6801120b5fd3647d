"""What /metrics shows of work done beside requests (issue 9): calendar errors by operation,
and the reconciler's actions and rounds - the series the reconciler alert watches."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Callable
from typing import Any

import httpx

from adapters.settable_clock import SettableClock
from domain.event_date import EventDate
from entrypoints.bootstrap import Elope
from entrypoints.http.background import background_loops
from tests.e2e.conftest import Checkout, MakeElope, http_client, pay_session, payment_side
from tests.fakes.stripe_server import FakeStripe
from tests.metrics_scrape import Samples, by_label, scrape


class UnreachableCalendar:
    """The business's calendar, down for reads and writes alike."""

    async def busy_dates(self, start: EventDate, end: EventDate) -> set[EventDate]:
        raise ConnectionError("calendar unreachable")

    async def block_day(self, date: EventDate, booking_id: str, title: str) -> str:
        raise ConnectionError("calendar unreachable")

    async def free_day(self, event_id: str) -> None:
        raise ConnectionError("calendar unreachable")


async def test_calendar_errors_are_counted_by_operation(
    make_elope: MakeElope, fake_stripe: FakeStripe | None, future_date: Callable[[int], str],
) -> None:
    app = await make_elope(calendar=UnreachableCalendar())
    async with http_client(app) as client:
        date = future_date(96)
        shown = await client.get(f"/v1/availability?date={date}")
        after_read = by_label(await scrape(client), "elope_calendar_failures_total", "operation")
        created = await client.post("/v1/bookings/checkout", json={
            "packageSlug": "sunrise-cliffs", "eventDate": date, "coupleName": "Ada & Grace",
            "email": "ada@example.com", "addOnIds": []})
        await pay_session(client, app, payment_side(app, fake_stripe), created.json()["sessionId"])
        await app.relay.drain()  # the paid booking's calendar day cannot be written
        after_block = by_label(await scrape(client), "elope_calendar_failures_total", "operation")

    # The calendar being down costs no sale: the day is offered, checked out and booked.
    assert shown.json()["available"] is True and created.status_code == 201
    assert after_read == {"read": 1, "block": 0, "free": 0}
    assert after_block == {"read": 2, "block": 1, "free": 0}  # checkout read it once more


async def test_the_reconciler_counts_each_hold_by_action_and_each_round(
    elope: Elope, checkout: Checkout, clock: SettableClock, future_date: Callable[[int], str],
) -> None:
    created = await checkout(future_date(97))  # never paid; its webhook never comes
    assert created.status_code == 201, created.text
    clock.advance(dt.timedelta(minutes=elope.settings.checkout_hold_minutes + 1))

    async with http_client(elope) as client, background_loops(elope):  # as `elope serve`
        samples = await _until(client, lambda s: by_label(
            s, "elope_reconciler_runs_total", "outcome")["ok"] >= 1)

    assert by_label(samples, "elope_reconciler_runs_total", "outcome") == {"ok": 1, "failed": 0}
    assert by_label(samples, "elope_reconciler_actions_total", "action") == {
        "released": 1, "completed": 0, "kept": 0, "failed": 0}


class HoldsUnreadable:
    """The preset's unit of work, whose holds cannot be listed (a database gone mid-round)."""

    def __init__(self, inner: Any) -> None:
        self._inner = inner

    async def __aenter__(self) -> Any:
        tx = await self._inner.__aenter__()

        async def claim_unsettled(*_: object) -> list[object]:
            raise ConnectionError("the database went away")

        tx.holds.claim_unsettled = claim_unsettled
        return tx

    async def __aexit__(self, *exc_info: object) -> Any:
        return await self._inner.__aexit__(*exc_info)


async def test_a_reconciler_round_that_fails_as_a_whole_is_counted(
    make_elope: MakeElope,
) -> None:
    app = await make_elope(wrap_uow=HoldsUnreadable)

    async with http_client(app) as client, background_loops(app):
        samples = await _until(client, lambda s: by_label(
            s, "elope_reconciler_runs_total", "outcome")["failed"] >= 1)

    assert by_label(samples, "elope_reconciler_runs_total", "outcome") == {"ok": 0, "failed": 1}


async def _until(client: httpx.AsyncClient, done: Callable[[Samples], bool],
                 within_seconds: float = 5.0) -> Samples:
    """Scrape until `done` holds: the background loops run on their own schedule."""
    async with asyncio.timeout(within_seconds):
        while True:
            samples = await scrape(client)
            if done(samples):
                return samples
            await asyncio.sleep(0.02)
