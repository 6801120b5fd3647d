"""Phase (b): the reads a couple's browser makes - one date's availability, a year of
unavailable dates, the catalog - at c=1 (latency) and c=32 (throughput), and the bare-Litestar
floor answering an availability-shaped object at the same concurrencies.

They run on the database the webhook phase left behind, so the year read is full of bookings
as a busy calendar would be; each row says how many bookings that database holds.
"""

from __future__ import annotations

import datetime as dt

from bench import databases
from bench.load import Call
from bench.measure import measure
from bench.report import Row
from bench.rig import Rig

YEAR = 365  # `to` - `from`: the longest range the service answers (366 days, inclusive)


def _days(count: int) -> list[str]:
    """`count` dates over the coming year, round and round."""
    tomorrow = dt.datetime.now(dt.UTC).date() + dt.timedelta(days=1)
    return [(tomorrow + dt.timedelta(days=n % YEAR)).isoformat() for n in range(count)]


def read_calls(kind: str, count: int) -> list[Call]:
    if kind == "availability":
        return [Call("GET", f"/v1/availability?date={day}") for day in _days(count)]
    if kind == "range":
        start = dt.datetime.now(dt.UTC).date() + dt.timedelta(days=1)
        path = (f"/v1/availability/unavailable?from={start.isoformat()}"
                f"&to={(start + dt.timedelta(days=YEAR)).isoformat()}")
        return [Call("GET", path)] * count
    return [Call("GET", "/v1/packages")] * count


KINDS = ("availability", "range", "catalog")


async def elope_reads(rig: Rig, tracing: str) -> list[Row]:
    """Each kind at c=1 and c=32; returns the c=1 rows."""
    config = rig.config(tracing)
    await rig.elope.ensure(config)
    server = rig.elope
    bookings = await databases.count_paid_bookings(server.database_url)
    sink = rig.sink if config.tracing else None
    first_rows = []
    for kind in KINDS:
        for concurrency, count in ((1, rig.counts.reads_c1), (32, rig.counts.reads)):
            calls = read_calls(kind, count + rig.counts.warmup)
            measured = await measure(server, calls[rig.counts.warmup:], concurrency,
                                     warmup=calls[:rig.counts.warmup], sink=sink)
            row = rig.report.add(Row(kind, "elope", measured, concurrency, tracing=tracing,
                                     workers=config.workers,
                                     round_trips=rig.round_trips.get(kind),
                                     notes=[f"{bookings} bookings in the database"]))
            if concurrency == 1:
                first_rows.append(row)
    return first_rows


async def floor_reads(rig: Rig) -> None:
    floor = rig.litestar_floor
    await floor.ensure()
    for concurrency, count in ((1, rig.counts.reads_c1), (32, rig.counts.reads)):
        calls = read_calls("availability", count + rig.counts.warmup)
        measured = await measure(floor, calls[rig.counts.warmup:], concurrency,
                                 warmup=calls[:rig.counts.warmup])
        notes = []
        for kind in ("availability", "catalog"):
            elope = rig.find(kind, "elope", concurrency)
            if elope is not None and measured.outcome.throughput > 0:
                share = 100 * elope.throughput / measured.outcome.throughput
                notes.append(f"elope {kind} at {share:.0f} % of this")
        rig.report.add(Row("availability", "bare litestar", measured, concurrency, tracing="-",
                           notes=notes))
    await floor.stop()


async def reads(rig: Rig, tracing: str, with_floor: bool) -> None:
    rig.report.section(f"(b) reads - tracing {tracing}")
    first_rows = await elope_reads(rig, tracing)
    if with_floor:
        await floor_reads(rig)
    for row in first_rows:
        rig.report.span_names(f"{row.phase} read", row)
