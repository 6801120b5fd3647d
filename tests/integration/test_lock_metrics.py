"""The lock-timeout rate an operator alerts on, from real PostgreSQL locks: every date lock
asked for is counted, and one that waited out DB_LOCK_TIMEOUT_MS is a lock timeout - and,
for a checkout, a 409 counted as `busy`."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from pathlib import Path

import asyncpg
import pytest

from adapters.piccolo.unit_of_work import date_lock_key
from adapters.settable_clock import SettableClock
from application import commands as c
from domain.errors import DateBusy
from domain.event_date import EventDate
from entrypoints.asgi import prepare_mock_preset
from entrypoints.bootstrap import Elope, bootstrap
from entrypoints.settings import load_settings
from tests.integration.conftest import real_environment
from tests.metrics_scrape import parse_samples, value


@pytest.fixture
async def impatient(clean_postgres: str, tmp_path: Path, stripe_api_base: str,
                    clock: SettableClock) -> AsyncIterator[Elope]:
    """The real preset, waiting 50 ms for a busy date's lock instead of 2 s."""
    env = real_environment(clean_postgres, tmp_path / "mail", stripe_api_base)
    settings = load_settings(**{key.lower(): value for key, value in env.items()},
                             db_lock_timeout_ms=50)
    app = bootstrap(settings, clock=clock)
    await app.start()
    try:
        await prepare_mock_preset(app)
        yield app
    finally:
        await app.stop()


async def check_out(app: Elope, date: EventDate) -> None:
    await app.bus.handle(c.CreateCheckout(
        package_slug="city-hall-chic", event_date=str(date), couple_name="Ada & Grace",
        email=f"{date}@example.com", phone=None, add_on_ids=()))


async def test_a_date_lock_held_elsewhere_counts_timeouts_against_locks_asked_for(
    impatient: Elope, clean_postgres: str, clock: SettableClock,
) -> None:
    free, contended = (EventDate(clock.now().date() + dt.timedelta(days=n)) for n in (60, 61))
    before = await counts(impatient)  # the demo catalog's blackout took a date lock too
    await check_out(impatient, free)
    other = await asyncpg.connect(clean_postgres)  # another instance, booking that date
    try:
        async with other.transaction():
            await other.execute(f"SELECT pg_advisory_xact_lock({date_lock_key(contended)})")
            with pytest.raises(DateBusy):
                await check_out(impatient, contended)
    finally:
        await other.close()

    after = await counts(impatient)
    # One lock for the free date; four tries (the bounded retries) for the busy one.
    assert [a - b for a, b in zip(after, before, strict=True)] == [5, 4, 1]


async def counts(app: Elope) -> tuple[float, float, float]:
    """(date locks asked for, lock timeouts, checkouts refused as busy), as scraped."""
    samples = parse_samples(app.metrics.render()[0].decode())
    locks = value(samples, "elope_date_locks_total")
    timeouts = value(samples, "elope_lock_timeouts_total")
    busy = value(samples, "elope_checkout_conflicts_total", reason="busy")
    assert locks is not None and timeouts is not None and busy is not None
    return locks, timeouts, busy
