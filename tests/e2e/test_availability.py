"""SPEC §2: which dates can be booked, and why not."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import httpx
import pytest

from adapters.settable_clock import SettableClock
from adapters.stand_ins.mock_calendar import MockCalendar
from domain.event_date import EventDate
from entrypoints.settings import Settings
from tests.conftest import paid_session, sign, stripe_event
from tests.e2e.conftest import (
    Book,
    Checkout,
    MakeElope,
    MakeSettings,
    assert_error,
    demo_package,
    http_client,
)

BUSY_DAYS_AHEAD = 40


@pytest.fixture
def settings(make_settings: MakeSettings, clock: SettableClock) -> Settings:
    """The calendar reports one day busy, 40 days from now."""
    busy = (clock.now().date() + dt.timedelta(days=BUSY_DAYS_AHEAD)).isoformat()
    return make_settings(mock_calendar_busy_dates=busy)


async def availability(client: httpx.AsyncClient, date: str) -> dict[str, object]:
    response = await client.get("/v1/availability", params={"date": date})
    assert response.status_code == 200, response.text
    return response.json()


async def add_blackout(client: httpx.AsyncClient, headers: dict[str, str], date: str) -> None:
    response = await client.post("/v1/admin/blackouts", headers=headers,
                                 json={"date": date, "reason": "closed"})
    assert response.status_code == 201, response.text


async def test_a_free_future_date_is_available(
    client: httpx.AsyncClient, future_date: Callable[[int], str],
) -> None:
    date = future_date(21)
    assert await availability(client, date) == {"date": date, "available": True, "reason": None}


async def test_today_is_available_and_yesterday_is_past(
    client: httpx.AsyncClient, future_date: Callable[[int], str],
) -> None:
    assert (await availability(client, future_date(0)))["available"] is True
    assert await availability(client, future_date(-1)) == {
        "date": future_date(-1), "available": False, "reason": "past"}


async def test_a_date_beyond_the_booking_horizon_is_too_far(
    client: httpx.AsyncClient, future_date: Callable[[int], str],
) -> None:
    assert (await availability(client, future_date(730)))["available"] is True
    assert (await availability(client, future_date(731)))["reason"] == "too_far"


async def test_a_blacked_out_date_says_blackout(
    client: httpx.AsyncClient, admin_headers: dict[str, str],
    future_date: Callable[[int], str],
) -> None:
    await add_blackout(client, admin_headers, future_date(22))
    assert (await availability(client, future_date(22)))["reason"] == "blackout"


async def test_a_booked_date_says_booked(
    client: httpx.AsyncClient, book: Book, future_date: Callable[[int], str],
) -> None:
    await book(future_date(23))
    assert (await availability(client, future_date(23)))["reason"] == "booked"


async def test_a_date_with_an_open_checkout_says_held(
    client: httpx.AsyncClient, checkout: Checkout, future_date: Callable[[int], str],
) -> None:
    assert (await checkout(future_date(24))).status_code == 201
    assert (await availability(client, future_date(24)))["reason"] == "held"


async def test_a_day_the_calendar_reports_busy_says_calendar(
    client: httpx.AsyncClient, future_date: Callable[[int], str],
) -> None:
    assert await availability(client, future_date(BUSY_DAYS_AHEAD)) == {
        "date": future_date(BUSY_DAYS_AHEAD), "available": False, "reason": "calendar"}


async def test_a_blackout_in_the_past_is_reported_as_past(
    client: httpx.AsyncClient, admin_headers: dict[str, str], clock: SettableClock,
    future_date: Callable[[int], str],
) -> None:
    date = future_date(2)
    await add_blackout(client, admin_headers, date)
    clock.advance(dt.timedelta(days=3))
    assert (await availability(client, date))["reason"] == "past"


async def test_a_blackout_wins_over_a_calendar_busy_day(
    client: httpx.AsyncClient, admin_headers: dict[str, str],
    future_date: Callable[[int], str],
) -> None:
    await add_blackout(client, admin_headers, future_date(BUSY_DAYS_AHEAD))
    assert (await availability(client, future_date(BUSY_DAYS_AHEAD)))["reason"] == "blackout"


async def test_a_booking_wins_over_a_calendar_busy_day(
    client: httpx.AsyncClient, settings: Settings, future_date: Callable[[int], str],
) -> None:
    # Checkout refuses a busy day, so the paid webhook books it directly.
    package = await demo_package(client)
    raw, headers = sign(stripe_event("checkout.session.completed", paid_session(
        package_id=package["id"], event_date=future_date(BUSY_DAYS_AHEAD))),
        settings.webhook_secret)
    delivered = await client.post("/v1/webhooks/stripe", content=raw, headers=headers)
    assert delivered.status_code == 200, delivered.text

    assert (await availability(client, future_date(BUSY_DAYS_AHEAD)))["reason"] == "booked"


@pytest.mark.parametrize("date", ["2026-13-01", "tomorrow", "2026-1-5", "20260105", ""])
async def test_a_malformed_date_is_a_validation_error(
    client: httpx.AsyncClient, date: str,
) -> None:
    response = await client.get("/v1/availability", params={"date": date})
    assert_error(response, 400, "VALIDATION_ERROR")


async def test_a_missing_date_is_a_validation_error(client: httpx.AsyncClient) -> None:
    assert_error(await client.get("/v1/availability"), 400, "VALIDATION_ERROR")


async def test_the_range_query_lists_only_unavailable_dates_with_their_reasons(
    client: httpx.AsyncClient, admin_headers: dict[str, str], book: Book, checkout: Checkout,
    future_date: Callable[[int], str],
) -> None:
    await add_blackout(client, admin_headers, future_date(33))
    await book(future_date(35))
    assert (await checkout(future_date(37))).status_code == 201

    response = await client.get("/v1/availability/unavailable", params={
        "from": future_date(-2), "to": future_date(BUSY_DAYS_AHEAD + 1)})

    assert response.status_code == 200
    assert response.json() == [
        {"date": future_date(-2), "reason": "past"},
        {"date": future_date(-1), "reason": "past"},
        {"date": future_date(33), "reason": "blackout"},
        {"date": future_date(35), "reason": "booked"},
        {"date": future_date(37), "reason": "held"},
        {"date": future_date(BUSY_DAYS_AHEAD), "reason": "calendar"},
    ]


async def test_a_range_reaching_past_the_horizon_says_too_far(
    client: httpx.AsyncClient, future_date: Callable[[int], str],
) -> None:
    response = await client.get("/v1/availability/unavailable", params={
        "from": future_date(700), "to": future_date(732)})
    assert response.json() == [{"date": future_date(731), "reason": "too_far"},
                               {"date": future_date(732), "reason": "too_far"}]


async def test_a_range_of_366_days_is_accepted_and_367_is_refused(
    client: httpx.AsyncClient, future_date: Callable[[int], str],
) -> None:
    ok = await client.get("/v1/availability/unavailable", params={
        "from": future_date(1), "to": future_date(366)})
    too_long = await client.get("/v1/availability/unavailable", params={
        "from": future_date(1), "to": future_date(367)})
    assert ok.status_code == 200
    assert_error(too_long, 400, "VALIDATION_ERROR")


async def test_a_range_that_ends_before_it_starts_is_refused(
    client: httpx.AsyncClient, future_date: Callable[[int], str],
) -> None:
    response = await client.get("/v1/availability/unavailable", params={
        "from": future_date(10), "to": future_date(9)})
    assert_error(response, 400, "VALIDATION_ERROR")


async def test_a_range_with_a_malformed_bound_is_refused(
    client: httpx.AsyncClient, future_date: Callable[[int], str],
) -> None:
    response = await client.get("/v1/availability/unavailable", params={
        "from": "soon", "to": future_date(9)})
    assert_error(response, 400, "VALIDATION_ERROR")


async def test_today_is_the_business_day_in_the_business_time_zone(
    make_settings: MakeSettings, make_elope: MakeElope, clock: SettableClock,
) -> None:
    # 20:00 UTC on 1 June is already 08:00 on 2 June in Auckland.
    clock.set(dt.datetime(2030, 6, 1, 20, 0, tzinfo=dt.UTC))
    zoned = make_settings(business_timezone="Pacific/Auckland")
    plain = make_settings()

    async with http_client(await make_elope(zoned)) as client:
        first = await availability(client, "2030-06-01")
        second = await availability(client, "2030-06-02")
    async with http_client(await make_elope(plain)) as client:
        in_utc = await availability(client, "2030-06-01")

    assert first["reason"] == "past"
    assert second["available"] is True
    assert in_utc["available"] is True


class CountingCalendar(MockCalendar):
    def __init__(self) -> None:
        super().__init__()
        self.calls = 0

    async def busy_dates(self, start: EventDate, end: EventDate) -> set[EventDate]:
        self.calls += 1
        return await super().busy_dates(start, end)


async def test_a_year_long_range_asks_the_calendar_once(
    make_elope: MakeElope, future_date: Callable[[int], str],
) -> None:
    calendar = CountingCalendar()
    async with http_client(await make_elope(calendar=calendar)) as client:
        response = await client.get("/v1/availability/unavailable", params={
            "from": future_date(0), "to": future_date(365)})
    assert response.status_code == 200
    assert calendar.calls == 1
