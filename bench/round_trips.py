"""The round-trip pass: SQL round trips per request, counted by a proxy in front of
PostgreSQL (`sql_proxy.py`), in a short run of its own - counting costs CPU, so it never
shares a run with a throughput figure.

Requests go one at a time, each once the proxy is quiet. The request's round trips are the
turns, until its answer, on the connection it started on: one at a time, the pool (asyncpg's
hands out the connection released last) gives each of its units of work that same
connection, while the outbox relay, woken by the request's commit before the answer is sent,
works on another. Every other turn, until the proxy is quiet again, is background work the
request set off (the relay sending the confirmation email). The rate of an idle interval
(the relay's periodic sweep) is subtracted from the background.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol
from urllib.parse import urlsplit

from bench.checkout import checkout_call
from bench.children import BenchFailed
from bench.databases import through
from bench.events import booking_events, webhook_call
from bench.load import Call, LoadGenerator
from bench.reads import read_calls
from bench.rig import Rig
from bench.sql_proxy import RoundTripProxy
from bench.stripe_fake import WEBHOOK_SECRET

# Per kind: the pool grown and every statement prepared on each of its connections (a first
# use costs a round trip more), before counting.
WARMUP = 10


class TurnLog:
    """When each turn started, and on which connection (the proxy's `on_turn`)."""

    def __init__(self) -> None:
        self.turns: list[tuple[float, int]] = []

    def __call__(self, connection: int, _first_bytes: bytes) -> None:
        self.turns.append((time.perf_counter(), connection))


@dataclass
class Turns:
    requests: int = 0
    own: float = 0.0  # the request's, until its answer
    background: float = 0.0  # the work it set off, until the database went quiet

    def per_request(self) -> tuple[float, float]:
        return self.own / self.requests, self.background / self.requests


class Served(Protocol):
    base_url: str

    def log_tail(self, lines: int = 25) -> str: ...


async def _count(proxy: RoundTripProxy, log: TurnLog, server: Served, calls: Sequence[Call],
                 idle_rate: float) -> Turns:
    turns = Turns()
    async with LoadGenerator(server.base_url, 1) as load:
        await load.run(calls[:WARMUP])
        for call in calls[WARMUP:]:
            await proxy.quiet()
            sent, first = time.perf_counter(), len(log.turns)
            outcome = await load.run([call])
            if outcome.errors:
                raise BenchFailed(f"round-trip pass: {call.method} {call.path}: {outcome.errors[0]}"
                                   f"\nthe end of the server's stderr:\n{server.log_tail()}")
            answered = time.perf_counter()
            await proxy.quiet()
            window = log.turns[first:]
            before_answer = [connection for at, connection in window if at <= answered]
            own = before_answer.count(before_answer[0]) if before_answer else 0
            turns.requests += 1
            turns.own += own
            turns.background += len(window) - own - idle_rate * (time.perf_counter() - sent)
    return turns


async def _idle_rate(proxy: RoundTripProxy, seconds: float) -> float:
    """Turns per second with no request at all: the background loops' polling."""
    await proxy.quiet()
    started, before = time.perf_counter(), proxy.turns
    await asyncio.sleep(seconds)
    return (proxy.turns - before) / (time.perf_counter() - started)


def _print(rig: Rig, kind: str, turns: Turns, background_work: str) -> None:
    own, background = turns.per_request()
    rig.round_trips[kind] = own
    rig.report.say(f"| {kind} | {turns.requests} | {own:.1f} | {background:.1f} |"
                   f" {background_work} |")


async def round_trips(rig: Rig) -> None:
    count = WARMUP + rig.counts.round_trips
    postgres = urlsplit(rig.options.database_url)
    log = TurnLog()
    proxy = RoundTripProxy(postgres.hostname or "127.0.0.1", postgres.port or 5432, log)
    port = await proxy.start()
    rig.report.say("\n### SQL round trips per request (one at a time, through a counting proxy)\n")
    rig.report.say("| request | requests | SQL RT/request | background RT, per request |"
                   " background work |")
    rig.report.say("| --- | --- | --- | --- | --- |")
    try:
        server = rig.elope
        await server.fresh(rig.config("off"), served_url=through(server.database_url, "127.0.0.1",
                                                                 port))
        idle = await _idle_rate(proxy, 2.0 if rig.options.quick else 5.0)
        webhooks = [webhook_call(event, WEBHOOK_SECRET) for event in
                    booking_events(server.package, server.dates.take(count))]
        _print(rig, "webhook", await _count(proxy, log, server, webhooks, idle),
               "relay: confirmation email, calendar (per booking)")
        for kind in ("availability", "range", "catalog"):
            _print(rig, kind, await _count(proxy, log, server, read_calls(kind, count), idle),
                   "-")
        checkouts = [checkout_call(server.package, day, n)
                     for n, day in enumerate(server.dates.take(count))]
        _print(rig, "checkout", await _count(proxy, log, server, checkouts, idle), "-")
        await server.stop()

        floor = rig.asyncpg_floor
        await floor.fresh(served_url=through(floor.database_url, "127.0.0.1", port))
        calls = [webhook_call(event, WEBHOOK_SECRET)
                 for event in booking_events(floor.package, floor.dates.take(count))]
        _print(rig, "floor webhook", await _count(proxy, log, floor, calls, 0.0),
               "- (bare asyncpg: no relay)")
        rig.report.say(f"\nIdle: {idle:.1f} round trips/s (background loops), subtracted above.")
    finally:
        # Neither server may outlive the proxy it was pointed at.
        await rig.elope.stop()
        await rig.asyncpg_floor.stop()
        await proxy.close()
