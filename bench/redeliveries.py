"""Phase (d'): one event delivered many times at once - Stripe retrying while the first
delivery is still being processed.

Exactly one delivery may do the work. The others answer 200 once it is done, or 409 while it
is running (Stripe then retries), never anything else; the date ends with one booking.
"""

from __future__ import annotations

from bench import databases
from bench.events import completed_event, paid_session, webhook_call
from bench.load import Call, Check, expect_webhook_status
from bench.measure import measure
from bench.report import Row
from bench.rig import Rig
from bench.stripe_fake import WEBHOOK_SECRET

processed = expect_webhook_status("PROCESSED")


def processed_or_busy(answers: dict[int, int]) -> Check:
    """200 PROCESSED or 409 (in progress, retry later); counts the answers by status."""
    def check(status: int, body: bytes) -> str | None:
        answers[status] = answers.get(status, 0) + 1
        return None if status == 409 else processed(status, body)
    return check


async def redeliveries(rig: Rig) -> Row:
    count = rig.counts.one_date_sessions
    rig.report.section(f"(d') one event delivered {count} times at once")
    config = rig.config()
    await rig.elope.ensure(config, dates=1)
    server = rig.elope
    (day,) = server.dates.take(1)
    delivery = webhook_call(completed_event(paid_session(server.package, day)), WEBHOOK_SECRET)
    answers: dict[int, int] = {}
    calls = [Call(delivery.method, delivery.path, delivery.body, delivery.headers,
                  processed_or_busy(answers))] * count
    # Warm-up opens the connections, so the deliveries leave together, not a handshake apart.
    measured = await measure(server, calls, count, warmup=[Call("GET", "/health/live")] * count,
                             settle=server.settle)
    check = await databases.check_one_booking_per_date(server.database_url, [day])
    statuses = ", ".join(f"{n} x {status}" for status, n in sorted(answers.items()))
    return rig.report.add(Row(
        f"one event x{count}", "elope", measured, count, tracing=rig.options.base_tracing,
        workers=config.workers,
        notes=[f"all answered in {measured.outcome.elapsed_s * 1000:.0f} ms", f"answers {statuses}",
               check.describe()]))
