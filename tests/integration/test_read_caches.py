"""The real preset keeps its catalog and taken-dates reads for a while, and forgets them the
moment a change is committed - by this instance, by another one, or by hand in SQL - because
the database announces every change (LISTEN/NOTIFY). The copies here live an hour, so
whatever a test sees change, a notification (or the instance's own commit) made it change."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable

import pytest

from adapters.settable_clock import SettableClock
from application import commands as c
from domain.availability import UnavailableReason
from domain.catalog import Package
from domain.errors import DateUnavailable
from domain.event_date import EventDate
from entrypoints.asgi import prepare_mock_preset
from entrypoints.bootstrap import Elope, bootstrap
from entrypoints.settings import Settings
from tests.conftest import paid_session, sign, stripe_event
from tests.integration.conftest import WEBHOOK_SECRET, MakeElope
from tests.integration.server_view import PoolActivity, eventually, sql, unannounced

AN_HOUR = 3600.0
LISTENER = "elope-listener"


@contextlib.asynccontextmanager
async def started_listening(settings: Settings, clock: SettableClock) -> AsyncIterator[Elope]:
    """A real-preset instance with the demo catalog, listening."""
    app = bootstrap(settings, clock=clock)
    await app.start()
    # Seeded before it listens: no announcement of the seeding can arrive during a test.
    await prepare_mock_preset(app)
    listener = app.notifications
    assert listener is not None
    listening = asyncio.create_task(listener.listen())
    try:

        async def connected() -> bool:
            return listener.listening

        await eventually(connected)
        yield app
    finally:
        listening.cancel()
        await asyncio.gather(listening, return_exceptions=True)
        await app.stop()


@pytest.fixture
async def kept(real_settings: Settings, clock: SettableClock) -> AsyncIterator[Elope]:
    """An instance whose copies live an hour."""
    settings = real_settings.model_copy(update={
        "availability_cache_seconds": AN_HOUR, "catalog_cache_seconds": AN_HOUR})
    async with started_listening(settings, clock) as app:
        yield app


@pytest.fixture
async def other(make_elope: MakeElope, kept: Elope) -> Elope:
    """A second instance on the same database (it listens to nothing itself)."""
    return await make_elope()


def day(clock: SettableClock, days: int) -> EventDate:
    return EventDate(clock.now().date() + dt.timedelta(days=days))


async def reason(app: Elope, date: EventDate) -> UnavailableReason | None:
    return await app.queries.availability.reason_for(date)


async def checkout(app: Elope, date: EventDate) -> c.CheckoutCreated:
    created: c.CheckoutCreated = await app.bus.handle(c.CreateCheckout(
        package_slug="sunrise-cliffs", event_date=str(date), couple_name="Ada & Grace",
        email=f"couple-{uuid.uuid4().hex[:8]}@example.com", phone=None, add_on_ids=(),
        correlation_id="test"))
    return created


async def sunrise(app: Elope) -> Package:
    return await app.queries.catalog.active_package("sunrise-cliffs")


async def retitle(app: Elope, package: Package, title: str) -> None:
    await app.bus.handle(c.RevisePackage(
        package_id=package.id, version=package.version, slug=package.slug, title=title,
        description=package.description, price_cents=package.price.cents,
        photo_url=package.photo_url, active=package.active, correlation_id="test"))


async def hold_by_other_instance(other: Elope, _dsn: str, date: EventDate) -> None:
    await checkout(other, date)


async def booking_paid_on_other_instance(other: Elope, _dsn: str, date: EventDate) -> None:
    package = await sunrise(other)
    raw, headers = sign(stripe_event("checkout.session.completed",
                                     paid_session(package_id=package.id, event_date=str(date))),
                        WEBHOOK_SECRET)
    await other.bus.handle(c.RecordStripeEvent(raw_body=raw,
                                               signature=headers["Stripe-Signature"]))


async def blackout_written_in_sql(_other: Elope, dsn: str, date: EventDate) -> None:
    await sql(dsn, "INSERT INTO blackout (id, date, reason) VALUES ('bo_sql', $1, 'by hand')",
              date.value)


@pytest.mark.parametrize(("taken_by", "shown"), [
    (hold_by_other_instance, UnavailableReason.HELD),
    (booking_paid_on_other_instance, UnavailableReason.BOOKED),
    (blackout_written_in_sql, UnavailableReason.BLACKOUT),
])
async def test_a_date_taken_elsewhere_stops_being_offered_here(
    kept: Elope, other: Elope, clean_postgres: str, clock: SettableClock,
    taken_by: Callable[[Elope, str, EventDate], Awaitable[None]], shown: UnavailableReason,
) -> None:
    date = day(clock, 120)
    assert await reason(kept, date) is None  # and so kept

    await taken_by(other, clean_postgres, date)

    async def shown_here() -> bool:
        return await reason(kept, date) is shown

    await eventually(shown_here)


async def test_a_catalog_edit_on_another_instance_shows_here(
    kept: Elope, other: Elope,
) -> None:
    before = await sunrise(kept)

    await retitle(other, await sunrise(other), "Sunrise, retitled elsewhere")

    async def shown_here() -> bool:
        return (await sunrise(kept)).title == "Sunrise, retitled elsewhere" and [
            p.title for p in await kept.queries.catalog.active_packages()
            if p.id == before.id] == ["Sunrise, retitled elsewhere"]

    await eventually(shown_here)


async def test_what_this_instance_commits_it_shows_at_once(
    kept: Elope, clock: SettableClock,
) -> None:
    date = day(clock, 121)
    assert await reason(kept, date) is None
    await retitle(kept, await sunrise(kept), "Sunrise, retitled here")
    await checkout(kept, date)

    # No waiting: the couple who just checked out reloads the calendar at once.
    assert await reason(kept, date) is UnavailableReason.HELD
    assert (await sunrise(kept)).title == "Sunrise, retitled here"


async def test_a_kept_read_sends_the_database_nothing(
    kept: Elope, clean_postgres: str, clock: SettableClock,
) -> None:
    activity = PoolActivity(clean_postgres)
    date = day(clock, 122)

    first = await activity.statements_during(lambda: reason(kept, date))
    again = await activity.statements_during(
        lambda: kept.queries.availability.unavailable_between(date, date.plus_days(60)))
    catalog_first = await activity.statements_during(kept.queries.catalog.active_packages)
    catalog_again = await activity.statements_during(lambda: sunrise(kept))

    assert len(first) == 1 and "UNION ALL" in first[0]  # one round trip for every source
    assert again == []
    assert len(catalog_first) == 1
    assert catalog_again == []


async def test_with_no_cache_seconds_every_read_asks_the_database(
    real_settings: Settings, clock: SettableClock, clean_postgres: str,
) -> None:
    settings = real_settings.model_copy(update={
        "availability_cache_seconds": 0.0, "catalog_cache_seconds": 0.0})
    activity = PoolActivity(clean_postgres)
    async with started_listening(settings, clock) as app:
        for _ in range(2):
            assert len(await activity.statements_during(lambda: reason(app, day(clock, 1)))) == 1
            assert len(await activity.statements_during(lambda: sunrise(app))) == 1


async def test_a_hold_that_lapses_while_kept_is_free_at_once(
    kept: Elope, clock: SettableClock,
) -> None:
    date = day(clock, 123)
    await checkout(kept, date)
    assert await reason(kept, date) is UnavailableReason.HELD

    clock.advance(dt.timedelta(minutes=kept.settings.checkout_hold_minutes))

    assert await reason(kept, date) is None


async def test_after_its_listening_connection_is_cut_an_instance_shows_what_it_missed(
    kept: Elope, clean_postgres: str, clock: SettableClock,
) -> None:
    date = day(clock, 124)
    assert await reason(kept, date) is None
    await unannounced(clean_postgres,
                      "INSERT INTO blackout (id, date, reason) VALUES ('bo_quiet', $1, NULL)",
                      date.value)
    assert await reason(kept, date) is None  # kept, and nobody said it changed
    old = await sql(clean_postgres, f"""SELECT pid FROM pg_stat_activity
                    WHERE application_name = '{LISTENER}' AND datname = current_database()""")

    assert await sql(clean_postgres, "SELECT pg_terminate_backend($1)", old)

    listener = kept.notifications
    assert listener is not None

    async def reconnected() -> bool:
        pids = await sql(clean_postgres, f"""SELECT array_agg(pid) FROM pg_stat_activity
                         WHERE application_name = '{LISTENER}' AND datname = current_database()""")
        return listener.listening and bool(pids) and old not in pids

    await eventually(reconnected)
    assert await reason(kept, date) is UnavailableReason.BLACKOUT


async def test_a_checkout_never_trusts_a_copy_that_missed_a_hold_and_corrects_it(
    kept: Elope, clean_postgres: str, clock: SettableClock,
) -> None:
    date = day(clock, 125)
    assert await reason(kept, date) is None
    await unannounced(
        clean_postgres, """INSERT INTO date_hold (session_id, event_date, expires_at)
                           VALUES ('cs_quiet', $1, $2)""",
        date.value, clock.now() + dt.timedelta(minutes=30))
    assert await reason(kept, date) is None  # the copy missed it

    with pytest.raises(DateUnavailable) as refused:
        await checkout(kept, date)

    assert refused.value.reason == "held"
    assert await sql(clean_postgres, """SELECT array_agg(session_id) FROM date_hold
                                        WHERE event_date = $1""", date.value) == ["cs_quiet"]
    # The couple just told so reloads: the refusal itself told this instance.
    assert await reason(kept, date) is UnavailableReason.HELD
