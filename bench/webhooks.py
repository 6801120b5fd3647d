"""Phase (a): paid webhooks, each booking a date of its own, at a fixed concurrency - for the
service and, back to back, for the bare-asyncpg floor.

Every answer must be 200 with the inbox's PROCESSED; afterwards the database must hold
exactly one PAID booking for each date sent (a refund would answer PROCESSED too, so the
database is the judge of "a booking made").
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Protocol

from bench import databases
from bench.dates import DateBook
from bench.elope_server import ServeConfig
from bench.events import Package, booking_events, webhook_call
from bench.measure import Measured, Target, measure
from bench.otlp_sink import OtlpSink
from bench.report import Row
from bench.rig import Rig
from bench.stripe_fake import WEBHOOK_SECRET


class Booker(Target, Protocol):
    """A server that books paid sessions: the service, or the bare-asyncpg floor."""

    package: Package
    dates: DateBook
    database_url: str


async def _book_dates(target: Booker, requests: int, concurrency: int, warmup: int, *,
                      settle: Callable[[], Awaitable[float]] | None = None,
                      sink: OtlpSink | None = None) -> tuple[Measured, list[str]]:
    """Send `warmup` then `requests` booking webhooks; the measurement and its notes."""
    days = target.dates.take(warmup + requests)
    # Signed now, just before sending: a signature is good for five minutes.
    calls = [webhook_call(event, WEBHOOK_SECRET)
             for event in booking_events(target.package, days)]
    measured = await measure(target, calls[warmup:], concurrency, warmup=calls[:warmup],
                             settle=settle, sink=sink)
    check = await databases.check_one_booking_per_date(target.database_url, days)
    notes = [check.describe()]
    if settle is not None:
        notes.append(f"outbox drained {measured.settle_s:.1f} s after the last answer")
    return measured, notes


async def elope_webhooks(rig: Rig, concurrency: int, requests: int, config: ServeConfig,
                         phase: str = "webhook") -> Row:
    """The service's paid-webhook phase at one concurrency."""
    warmup = rig.counts.warmup
    await rig.elope.ensure(config, dates=warmup + requests)
    measured, notes = await _book_dates(rig.elope, requests, concurrency, warmup,
                                        settle=rig.elope.settle,
                                        sink=rig.sink if config.tracing else None)
    return rig.report.add(Row(
        phase, "elope", measured, concurrency, tracing="otlp" if config.tracing else "off",
        workers=config.workers, round_trips=rig.round_trips.get("webhook"), notes=notes))


async def floor_webhooks(rig: Rig, concurrency: int, requests: int) -> Row:
    """The bare-asyncpg floor at one concurrency, on a database of its own."""
    warmup = rig.counts.warmup
    floor = rig.asyncpg_floor
    await floor.ensure(dates=warmup + requests)
    measured, notes = await _book_dates(floor, requests, concurrency, warmup)
    elope = rig.find("webhook", "elope", concurrency)
    if elope is not None and measured.outcome.throughput > 0:
        notes.append(f"elope at {100 * elope.throughput / measured.outcome.throughput:.0f} %"
                     " of this")
    return rig.report.add(Row("webhook", "bare asyncpg", measured, concurrency, tracing="-",
                              round_trips=rig.round_trips.get("floor webhook"), notes=notes))


async def webhook_levels(rig: Rig, tracing: str, with_floor: bool) -> None:
    """Every concurrency level, the floor right after the service at each."""
    rig.report.section(f"(a) paid webhooks, one date each - tracing {tracing}")
    rows = []
    for concurrency, requests in rig.counts.webhooks.items():
        rows.append(await elope_webhooks(rig, concurrency, requests, rig.config(tracing)))
        if with_floor:
            await floor_webhooks(rig, concurrency, requests)
    await rig.asyncpg_floor.stop()
    rig.report.span_names("webhook", rows[0])


async def compare_workers(rig: Rig) -> float | None:
    """Webhooks at c=32 with one worker, then two, back to back: the scaling ratio."""
    rig.report.section("--workers 2 against 1: paid webhooks at c=32")
    rows = [await elope_webhooks(rig, 32, rig.counts.compare_workers, rig.config(workers=n))
            for n in (1, 2)]
    if rows[0].throughput <= 0:
        return None
    ratio = rows[1].throughput / rows[0].throughput
    rig.report.say(f"\n2 workers / 1 worker at c=32: {ratio:.2f}x")
    return ratio
