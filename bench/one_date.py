"""Phase (d): many couples paid for the same date at the same moment.

64 paid sessions for ONE date, each with its own session id and payment intent, all known to
the fake Stripe (so their payments can be refunded), are delivered at once over 64 warm
connections. Exactly one must become the booking; the other 63 must be refunded, each once -
read back from the database (booking, timeline) and from the fake Stripe (refunds made).
"""

from __future__ import annotations

from dataclasses import dataclass

from bench import databases
from bench.events import completed_event, paid_session, webhook_call
from bench.load import Call
from bench.measure import measure
from bench.report import Row
from bench.rig import Rig
from bench.stripe_fake import WEBHOOK_SECRET


@dataclass(frozen=True)
class OneDateVerdict:
    sessions: int
    answered_200: int
    bookings: int
    refunded: int  # sessions refunded at the fake Stripe
    refund_entries: int  # sessions with a refund on their timeline
    settled_ms: float

    @property
    def ok(self) -> bool:
        expected = self.sessions - 1
        return (self.answered_200 == self.sessions and self.bookings == 1
                and self.refunded == self.refund_entries == expected)

    def describe(self) -> str:
        return (f"{self.bookings} booking, {self.refunded} refunds ({self.refund_entries} on the"
                f" timeline), {self.answered_200}/{self.sessions} answered 200")


async def one_date(rig: Rig) -> OneDateVerdict:
    count = rig.counts.one_date_sessions
    rig.report.section(f"(d) {count} paid sessions for one date, all at once")
    config = rig.config()
    await rig.elope.ensure(config, dates=1)
    server = rig.elope
    (day,) = server.dates.take(1)
    sessions = [paid_session(server.package, day) for _ in range(count)]
    await rig.stripe.adopt(sessions)
    calls = [webhook_call(completed_event(session), WEBHOOK_SECRET) for session in sessions]
    # Warm-up opens the 64 connections, so the deliveries leave together, not a handshake apart.
    warmup = [Call("GET", "/health/live")] * count
    measured = await measure(server, calls, count, warmup=warmup, settle=server.settle)

    ids = [str(session["id"]) for session in sessions]
    refund_keys = await rig.stripe.refund_keys()
    database = await databases.check_one_date(server.database_url, day, ids)
    verdict = OneDateVerdict(
        sessions=count, answered_200=count - len(measured.outcome.errors),
        bookings=database.paid_bookings,
        refunded=sum(1 for session_id in ids if f"refund:{session_id}" in refund_keys),
        refund_entries=database.refund_entries,
        settled_ms=measured.outcome.elapsed_s * 1000)
    rig.report.add(Row(
        "one date", "elope", measured, count, tracing=rig.options.base_tracing,
        workers=config.workers,
        notes=[f"all answered in {verdict.settled_ms:.0f} ms", verdict.describe(),
               "OK" if verdict.ok else "WRONG"]))
    return verdict
