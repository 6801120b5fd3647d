"""Phase (e): does a booking webhook cost the server more CPU once it has handled many?

A fresh server books dates from its first webhook. The early window is webhooks
[first, last) (after a warm-up of `first`); the late window comes after `aging_total`
webhooks. Both windows book dates nobody used, at the same concurrency, so they do the same
work. A database has only ~3,650 bookable dates, so the process is aged with every fresh
date left, then with other real webhook work, alternately: redeliveries of events already
processed (Stripe's retries), and payments for dates already booked (refunded through the
fake Stripe). The report says how many of each.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from itertools import zip_longest
from typing import Any

from bench import databases
from bench.events import booking_events, completed_event, paid_session, webhook_call
from bench.load import Call, LoadGenerator
from bench.measure import measure
from bench.report import Row
from bench.rig import Rig
from bench.stripe_fake import WEBHOOK_SECRET

CHUNK = 1000  # signed just before sending: a signature is good for five minutes


@dataclass(frozen=True)
class AgingResult:
    early: Row
    late: Row

    @property
    def ratio(self) -> float:
        early = self.early.measured.cpu_ms_per_request
        return self.late.measured.cpu_ms_per_request / early if early > 0 else float("nan")


async def _window(rig: Rig, days: list[dt.date], events: list[dict[str, Any]], warmup: int,
                  label: str) -> Row:
    """Measure booking webhooks for `days` (their `events`), the first `warmup` untimed."""
    server = rig.elope
    calls = [webhook_call(event, WEBHOOK_SECRET) for event in events]
    measured = await measure(server, calls[warmup:], rig.counts.aging_concurrency,
                                       warmup=calls[:warmup], settle=server.settle)
    check = await databases.check_one_booking_per_date(server.database_url, days)
    return rig.report.add(Row(label, "elope", measured, rig.counts.aging_concurrency,
                              tracing=rig.options.base_tracing, workers=server.config.workers,
                              notes=[check.describe()]))


async def _send(rig: Rig, events: list[dict[str, Any]]) -> tuple[int, int]:
    """Deliver `events` in signed chunks; (requests, errors)."""
    errors = 0
    async with LoadGenerator(rig.elope.base_url, rig.counts.aging_concurrency) as load:
        for start in range(0, len(events), CHUNK):
            calls: list[Call] = [webhook_call(event, WEBHOOK_SECRET)
                                 for event in events[start:start + CHUNK]]
            errors += len((await load.run(calls)).errors)
    await rig.elope.settle()
    return len(events), errors


async def aging(rig: Rig) -> AgingResult:
    counts = rig.counts
    first, last = counts.aging_window
    rig.report.section(f"(e) CPU per booking webhook: webhooks {first}-{last} against after"
                       f" {counts.aging_total:,}")
    server = rig.elope
    await server.fresh(rig.config())  # a new process: its webhooks count from zero
    early_days = server.dates.take(last)
    late_days = server.dates.take(counts.aging_late)
    early_events = booking_events(server.package, early_days)
    early = await _window(rig, early_days, early_events, first, f"webhook {first}-{last}")

    filler = counts.aging_total - last
    fresh_days = server.dates.take(min(filler, server.dates.remaining()))
    booked = booking_events(server.package, fresh_days)
    _, booking_errors = await _send(rig, booked)
    # Out of dates: the rest alternates a redelivery and a payment for a booked date.
    rest = filler - len(fresh_days)
    done = early_events + booked
    processed_days = early_days + fresh_days
    redeliveries = [done[n % len(done)] for n in range(rest // 2)]
    sessions = [paid_session(server.package, processed_days[n % len(processed_days)])
                for n in range(rest - len(redeliveries))]
    await rig.stripe.adopt(sessions)
    refunds = [completed_event(session) for session in sessions]
    mixed = [event for pair in zip_longest(refunds, redeliveries) for event in pair if event]
    sent, errors = await _send(rig, mixed)
    errors += booking_errors

    late_events = booking_events(server.package, late_days)
    late = await _window(rig, late_days, late_events, 0, f"webhook after {counts.aging_total:,}")
    rig.report.say(
        f"\nAged between the windows with {len(fresh_days):,} bookings on fresh dates, then"
        f" {len(redeliveries):,} redeliveries of processed events and {len(refunds):,} payments"
        f" for booked dates (refunded), alternately; {errors} of those {len(booked) + sent:,}"
        " webhooks answered wrong.")
    result = AgingResult(early, late)
    rig.report.say(f"CPU per booking webhook, late / early: {result.ratio:.2f}x")
    return result
