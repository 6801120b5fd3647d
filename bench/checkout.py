"""Phase (c): checkouts for distinct dates, then the payments for them.

Each checkout prices the choice, opens a session at the fake Stripe (one HTTP call) and holds
the date. Then every couple pays at the fake Stripe, and the bench delivers the webhooks
Stripe would: the whole path of a booking, the hold released by the booking this time. The
database must hold one hold per date after the checkouts, and one booking per date (and no
hold left) after the payments.
"""

from __future__ import annotations

import datetime as dt
import json

from bench import databases
from bench.events import WEBHOOK_PATH, Package
from bench.load import Call, Check, expect_webhook_status
from bench.measure import measure
from bench.report import Row
from bench.rig import Rig

CHECKOUT_PATH = "/v1/bookings/checkout"


def expect_checkout(session_ids: list[str] | None = None) -> Check:
    """201 with a session; its id goes to `session_ids`, for the couple to pay later."""
    def check(status: int, body: bytes) -> str | None:
        if status != 201:
            return f"HTTP {status}: {body[:120]!r}"
        if session_ids is not None:
            session_ids.append(json.loads(body)["sessionId"])
        return None
    return check


def checkout_call(package: Package, day: dt.date, n: int, session_ids: list[str] | None = None
                  ) -> Call:
    body = {"packageSlug": package.slug, "eventDate": day.isoformat(),
            "coupleName": "Bench Couple", "email": f"couple{n}@bench.example", "addOnIds": []}
    return Call("POST", CHECKOUT_PATH, json.dumps(body).encode(),
                (("Content-Type", "application/json"),), expect_checkout(session_ids))


async def checkouts(rig: Rig) -> None:
    rig.report.section("(c) checkouts, one date each (one fake-Stripe call each), then their"
                       " payments")
    warmup, count = rig.counts.warmup, rig.counts.checkouts
    concurrency = rig.counts.checkout_concurrency
    config = rig.config()
    await rig.elope.ensure(config, dates=warmup + count)
    server = rig.elope
    days = server.dates.take(warmup + count)
    session_ids: list[str] = []
    calls = [checkout_call(server.package, day, n, session_ids) for n, day in enumerate(days)]
    measured = await measure(server, calls[warmup:], concurrency, warmup=calls[:warmup],
                             settle=server.settle)
    held = await databases.count_holds(server.database_url, days)
    rig.report.add(Row(
        "checkout", "elope", measured, concurrency, tracing=rig.options.base_tracing,
        workers=config.workers, round_trips=rig.round_trips.get("checkout"),
        notes=[f"db check {'OK' if held == len(days) else 'WRONG'}: {held}/{len(days)} dates held"]))

    # The couples pay; Stripe signs the events now, and the bench delivers them.
    paid = await rig.stripe.pay(session_ids)
    calls = [Call("POST", WEBHOOK_PATH, raw, (("Stripe-Signature", signature),
                                              ("Content-Type", "application/json")),
                  expect_webhook_status("PROCESSED")) for raw, signature in paid]
    measured = await measure(server, calls[warmup:], concurrency, warmup=calls[:warmup],
                             settle=server.settle)
    check = await databases.check_one_booking_per_date(server.database_url, days)
    still_held = await databases.count_holds(server.database_url, days)
    rig.report.add(Row(
        "webhook after checkout", "elope", measured, concurrency,
        tracing=rig.options.base_tracing, workers=config.workers,
        round_trips=rig.round_trips.get("webhook"),
        notes=[check.describe(), f"holds left {still_held} ({'OK' if still_held == 0 else 'WRONG'})",
               f"outbox drained {measured.settle_s:.1f} s after the last answer"]))
