"""One measured phase: calls driven at a concurrency, the server's cost read around them.

The server's CPU is counted from the first timed call until the work the calls caused has
settled (the relay's confirmation emails after a booking), so a phase pays for its own
emails and not for the previous phase's. Warm-up calls go first over the same connections,
outside the clock and the CPU count.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

from bench.load import Call, LoadGenerator, Outcome
from bench.otlp_sink import OtlpSink
from bench.server_usage import ServerUsage


class Target(Protocol):
    """A running server: where to send the calls, which process pays for them, and since
    when (time.time()) the bench has caused it no work outside a measurement."""

    base_url: str
    quiet_since: float

    @property
    def pid(self) -> int: ...


@dataclass
class Measured:
    outcome: Outcome
    cpu_ms_per_request: float
    rss_mb_per_worker: float
    settle_s: float  # after the last answer, until the background work was done
    spans_per_request: float | None  # None: tracing was off
    span_names: dict[str, float] | None = None  # spans per request, by name

    @property
    def requests(self) -> int:
        return self.outcome.requests


async def measure(
    target: Target, calls: Sequence[Call], concurrency: int, *, warmup: Sequence[Call] = (),
    settle: Callable[[], Awaitable[float]] | None = None, sink: OtlpSink | None = None,
) -> Measured:
    """Drive `calls` at `concurrency`. `settle` waits for the server's background work;
    `sink`, when the server exports traces, counts the spans of warm-up and timed calls."""
    usage = ServerUsage(target.pid)
    spans_before = await sink.settled_spans(target.quiet_since) if sink is not None else None
    async with LoadGenerator(target.base_url, concurrency) as load:
        if warmup:
            await load.run(warmup)
        if settle is not None:
            await settle()
        cpu_before = usage.cpu()
        outcome = await load.run(calls)
        settle_s = await settle() if settle is not None else 0.0
        cpu_s = usage.cpu_seconds_since(cpu_before)
        rss = usage.rss_per_worker_mb()
    measured = Measured(outcome, cpu_s * 1000 / max(1, outcome.requests), rss, settle_s, None)
    if sink is not None and spans_before is not None:
        # Warm-up calls are of the same kind, so they count towards the spans per call.
        sent = len(warmup) + len(calls)
        exported = await sink.settled_spans(time.time()) - spans_before
        measured.spans_per_request = exported.total() / sent
        measured.span_names = {name: n / sent for name, n in exported.most_common()}
    return measured
