"""CalendarProvider: one contract for MockCalendar and for GoogleCalendar (against FakeGoogle
over real HTTP); then what the Google adapter sends, how it reads days, and how it fails."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from typing import Any
from zoneinfo import ZoneInfo

import jwt
import pytest

from adapters.google.google_calendar import CalendarUnavailable, GoogleCalendar, event_id_for
from adapters.stand_ins.mock_calendar import MockCalendar
from application.ports.calendar import CalendarProvider
from domain.event_date import EventDate
from tests.fakes.google_server import (
    CALENDAR_ID,
    CALENDAR_SCOPE,
    CLIENT_EMAIL,
    JWT_BEARER,
    FakeGoogle,
    fake_google,
)
from tests.fakes.local_server import free_port

NEW_YORK, BERLIN = ZoneInfo("America/New_York"), ZoneInfo("Europe/Berlin")
DAY = EventDate(dt.date(2027, 6, 12))
MakeGoogle = Callable[..., GoogleCalendar]


def day(offset: int) -> EventDate:
    return DAY.plus_days(offset)


@pytest.fixture(scope="module")
def server() -> Iterator[tuple[FakeGoogle, str, dict[str, str]]]:
    # One server per module: starting and stopping uvicorn costs ~0.2 s a test.
    with fake_google() as env:
        yield env


@pytest.fixture
def served(server: tuple[FakeGoogle, str, dict[str, str]]) -> tuple[FakeGoogle, str, dict[str, str]]:
    server[0].reset()
    return server


@pytest.fixture
def fake(served: tuple[FakeGoogle, str, dict[str, str]]) -> FakeGoogle:
    return served[0]


@pytest.fixture
async def make_google(served: tuple[FakeGoogle, str, dict[str, str]]) -> AsyncIterator[MakeGoogle]:
    _, base, key = served
    made: list[GoogleCalendar] = []

    def make(*, zone: ZoneInfo = NEW_YORK, **options: Any) -> GoogleCalendar:
        options = {"api_base": base, "timeout_seconds": 5.0, **options}
        made.append(GoogleCalendar(options.pop("calendar_id", CALENDAR_ID),
                                   options.pop("key", key), timezone=zone, **options))
        return made[-1]

    yield make
    for calendar in made:
        await calendar.close()


@pytest.fixture(params=["mock", "google"])
def calendar(request: pytest.FixtureRequest) -> CalendarProvider:
    if request.param == "mock":
        return MockCalendar()
    make: MakeGoogle = request.getfixturevalue("make_google")
    return make()


# --- the contract -------------------------------------------------------------------------

async def test_a_blocked_day_is_busy(calendar: CalendarProvider) -> None:
    await calendar.block_day(DAY, "booking-1", "Elopement")
    assert await calendar.busy_dates(day(-3), day(3)) == {DAY}


async def test_blocking_twice_for_one_booking_gives_one_event(calendar: CalendarProvider) -> None:
    first = await calendar.block_day(DAY, "booking-1", "Elopement")
    again = await calendar.block_day(DAY, "booking-1", "Elopement")
    assert again == first
    await calendar.free_day(first)
    assert await calendar.busy_dates(day(-3), day(3)) == set()


async def test_a_freed_day_is_no_longer_busy(calendar: CalendarProvider) -> None:
    event_id = await calendar.block_day(DAY, "booking-1", "Elopement")
    await calendar.busy_dates(day(-3), day(3))
    await calendar.free_day(event_id)
    assert await calendar.busy_dates(day(-3), day(3)) == set()


async def test_freeing_an_unknown_or_freed_event_is_fine(calendar: CalendarProvider) -> None:
    event_id = await calendar.block_day(DAY, "booking-1", "Elopement")
    await calendar.free_day(event_id)
    await calendar.free_day(event_id)
    await calendar.free_day(event_id_for("never-blocked"))


async def test_a_range_returns_only_its_own_days(calendar: CalendarProvider) -> None:
    for offset in (-10, -2, 0, 2, 10):
        await calendar.block_day(day(offset), f"booking{offset}", "Elopement")
    assert await calendar.busy_dates(day(-2), day(2)) == {day(-2), DAY, day(2)}
    assert await calendar.busy_dates(day(-1), day(1)) == {DAY}
    assert await calendar.busy_dates(day(3), day(9)) == set()


async def test_the_mock_adds_configured_busy_days_and_keeps_a_shared_day_busy() -> None:
    mock = MockCalendar(busy=[day(1)])
    first = await mock.block_day(DAY, "booking-1", "Elopement")
    await mock.block_day(DAY, "booking-2", "Elopement")
    await mock.free_day(first)
    assert await mock.busy_dates(day(-400), day(400)) == {DAY, day(1)}
    assert mock.blocked == {"mock-booking-2": (DAY, "booking-2")}


# --- Google: what goes over the wire ------------------------------------------------------

async def test_the_token_is_a_jwt_bearer_grant_and_is_reused(
        make_google: MakeGoogle, fake: FakeGoogle) -> None:
    google = make_google()
    await google.busy_dates(day(0), day(5))
    event_id = await google.block_day(DAY, "booking-1", "Elopement")
    await google.free_day(event_id)
    await google.busy_dates(day(6), day(9))

    token_requests = [r for r in fake.requests if r.path == "/token"]
    assert len(token_requests) == 1 and fake.tokens_issued == 1
    assert token_requests[0].headers["content-type"] == "application/x-www-form-urlencoded"
    grant = token_requests[0].body
    assert grant["grant_type"] == JWT_BEARER
    claims = jwt.decode(grant["assertion"], options={"verify_signature": False})
    assert (claims["iss"], claims["scope"]) == (CLIENT_EMAIL, CALENDAR_SCOPE)
    bearers = {r.headers["authorization"] for r in fake.api_requests}
    assert len(bearers) == 1 and bearers.pop().startswith("Bearer ya29.fake-")
    assert len(fake.api_requests) == 4


async def test_a_range_read_is_one_free_busy_call_in_the_business_zone(
        make_google: MakeGoogle, fake: FakeGoogle) -> None:
    await make_google(zone=NEW_YORK).busy_dates(EventDate(dt.date(2027, 3, 1)),
                                                EventDate(dt.date(2027, 3, 31)))
    [call] = fake.api_requests
    assert (call.method, call.path) == ("POST", "/calendar/v3/freeBusy")
    assert call.body == {"timeMin": "2027-03-01T00:00:00-05:00",
                         "timeMax": "2027-04-01T00:00:00-04:00",
                         "timeZone": "America/New_York", "items": [{"id": CALENDAR_ID}]}


async def test_blocking_inserts_an_all_day_opaque_event_once(
        make_google: MakeGoogle, fake: FakeGoogle) -> None:
    google = make_google()
    booking = "5b0e7c1e-9a4f-4d43-a9a0-0d2c3f1e2b6a"
    event_id = await google.block_day(DAY, booking, "Elopement: Ana & Bo")
    assert await google.block_day(DAY, booking, "Elopement: Ana & Bo") == event_id

    first, retry = fake.api_requests
    assert (first.method, first.path) == ("POST", f"/calendar/v3/calendars/{CALENDAR_ID}/events")
    assert first.body == {"id": event_id, "summary": "Elopement: Ana & Bo",
                          "start": {"date": "2027-06-12"}, "end": {"date": "2027-06-13"},
                          "transparency": "opaque"}
    assert retry.body == first.body and list(fake.events) == [event_id]
    assert event_id == event_id_for(booking) and event_id.startswith("elope")


async def test_reads_are_cached_until_a_write(make_google: MakeGoogle, fake: FakeGoogle) -> None:
    google = make_google(cache_seconds=30.0)
    await google.busy_dates(day(0), day(5))
    await google.busy_dates(day(0), day(5))
    assert len(fake.api_requests) == 1
    await google.block_day(DAY, "booking-1", "Elopement")
    assert await google.busy_dates(day(0), day(5)) == {DAY}
    assert [r.path for r in fake.api_requests].count("/calendar/v3/freeBusy") == 2

    uncached = make_google(cache_seconds=0)
    await uncached.busy_dates(day(0), day(5))
    await uncached.busy_dates(day(0), day(5))
    assert [r.path for r in fake.api_requests].count("/calendar/v3/freeBusy") == 4


# --- Google: days in the business zone ----------------------------------------------------

@pytest.mark.parametrize("in_utc", [False, True], ids=["offsets", "utc"])
@pytest.mark.parametrize(("zone", "date"), [
    (NEW_YORK, dt.date(2027, 3, 14)), (NEW_YORK, dt.date(2027, 11, 7)),
    (BERLIN, dt.date(2027, 3, 28)), (BERLIN, dt.date(2027, 10, 31)),
], ids=["ny-23h", "ny-25h", "berlin-23h", "berlin-25h"])
@pytest.mark.parametrize("case", ["across-midnight", "all-day", "ends-at-midnight",
                                  "late-in-the-day", "early-next-day"])
async def test_busy_days_follow_local_midnights_on_dst_days(
        make_google: MakeGoogle, fake: FakeGoogle, zone: ZoneInfo, date: dt.date,
        in_utc: bool, case: str) -> None:
    fake.answer_in_utc = in_utc
    after = date + dt.timedelta(days=1)

    def at(d: dt.date, hour: int, minute: int) -> dt.datetime:
        return dt.datetime.combine(d, dt.time(hour, minute), zone)

    expected = {"across-midnight": {date, after}, "all-day": {date},
                "ends-at-midnight": {date}, "late-in-the-day": {date}, "early-next-day": {after}}
    if case == "all-day":
        fake.add_all_day_event(date)
    else:
        start, end = {"across-midnight": (at(date, 23, 30), at(after, 0, 30)),
                      "ends-at-midnight": (at(date, 22, 0), at(after, 0, 0)),
                      "late-in-the-day": (at(date, 23, 15), at(date, 23, 45)),
                      "early-next-day": (at(after, 0, 15), at(after, 0, 45))}[case]
        fake.add_timed_event(start, end)
    busy = await make_google(zone=zone).busy_dates(EventDate(date - dt.timedelta(days=1)),
                                                   EventDate(after + dt.timedelta(days=1)))
    assert busy == {EventDate(d) for d in expected[case]}


# --- Google: failures ---------------------------------------------------------------------

@pytest.mark.parametrize("status", [500, 503, 429, 403])
async def test_error_statuses_are_calendar_unavailable(
        make_google: MakeGoogle, fake: FakeGoogle, status: int) -> None:
    google = make_google()
    attempts: list[Callable[[], Awaitable[object]]] = [
        lambda: google.busy_dates(day(0), day(1)), lambda: google.block_day(DAY, "b1", "E"),
        lambda: google.free_day("elope0000")]
    for attempt in attempts:
        fake.fail_next(status)
        with pytest.raises(CalendarUnavailable, match=f"HTTP {status}"):
            await attempt()


async def test_a_per_calendar_error_or_no_connection_is_calendar_unavailable(
        make_google: MakeGoogle) -> None:
    with pytest.raises(CalendarUnavailable, match="notFound"):
        await make_google(calendar_id="someone-else@group.calendar.google.com").busy_dates(
            day(0), day(1))
    with pytest.raises(CalendarUnavailable, match="ConnectError"):
        await make_google(api_base=f"http://127.0.0.1:{free_port()}").busy_dates(day(0), day(1))


async def test_a_401_gets_one_new_token_and_one_retry(
        make_google: MakeGoogle, fake: FakeGoogle) -> None:
    google = make_google()
    await google.busy_dates(day(0), day(1))
    fake.revoke_tokens()
    assert await google.busy_dates(day(2), day(3)) == set()
    assert fake.tokens_issued == 2
    fake.fail_next(401, count=2)
    with pytest.raises(CalendarUnavailable, match="HTTP 401"):
        await google.busy_dates(day(4), day(5))
    assert fake.tokens_issued == 3


async def test_no_token_or_key_reaches_an_error_message(
        served: tuple[FakeGoogle, str, dict[str, str]], make_google: MakeGoogle) -> None:
    fake, _, key = served
    google = make_google()
    messages = []
    for status in (401, 429, 500):
        fake.fail_next(status, count=2 if status == 401 else 1)
        with pytest.raises(CalendarUnavailable) as failed:
            await google.busy_dates(day(0), day(status))
        messages.append(repr(failed.value))
    stranger = make_google(key={**key, "client_email": "someone@else.example"})
    with pytest.raises(CalendarUnavailable, match="invalid_grant") as refused:
        await stranger.check_access()
    messages.append(repr(refused.value))
    secrets = [r.headers["authorization"].removeprefix("Bearer ") for r in fake.api_requests]
    secrets += [r.body["assertion"] for r in fake.requests if r.path == "/token"]
    secrets += [line for line in key["private_key"].splitlines() if "PRIVATE KEY" not in line]
    assert secrets and not [s for s in secrets for m in messages if s in m]


async def test_a_slow_token_endpoint_times_out_as_calendar_unavailable() -> None:
    # A server of its own: the abandoned token request finishes after the test.
    with fake_google() as (fake, base, key):
        fake.token_delay = 1.0
        google = GoogleCalendar(CALENDAR_ID, key, timezone=NEW_YORK, api_base=base,
                                timeout_seconds=0.2)
        try:
            with pytest.raises(CalendarUnavailable, match="access token"):
                await google.busy_dates(day(0), day(1))
        finally:
            await google.close()


async def test_a_token_refresh_leaves_the_event_loop_free_and_happens_once(
        make_google: MakeGoogle, fake: FakeGoogle) -> None:
    fake.token_delay = 0.3
    google = make_google()
    ticks = 0

    async def tick() -> None:
        nonlocal ticks
        while True:
            await asyncio.sleep(0.01)
            ticks += 1

    ticker = asyncio.create_task(tick())
    try:
        await asyncio.gather(*(google.busy_dates(day(i), day(i + 1)) for i in range(4)))
    finally:
        ticker.cancel()
    assert ticks >= 10
    assert fake.tokens_issued == 1


async def test_check_access_names_the_calendar(make_google: MakeGoogle) -> None:
    assert await make_google().check_access() == "Google Calendar reachable (calendar Elope bookings)"
    with pytest.raises(CalendarUnavailable, match="HTTP 404"):
        await make_google(calendar_id="missing@group.calendar.google.com").check_access()
