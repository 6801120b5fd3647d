"""Real concurrency against real PostgreSQL: many deliveries at once, split across two Elope
instances on one database (each with its own pool and its own in-process lanes, so only the
database stands between them)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import asyncpg

from entrypoints.bootstrap import Elope
from tests.conftest import paid_session, stripe_event
from tests.fakes.stripe_server import FakeStripe
from tests.integration.conftest import MakeElope
from tests.integration.deliveries import deliver_until_acknowledged


async def sunrise_package(elope: Elope) -> str:
    async with elope.uow() as tx:
        package = await tx.packages.get_by_slug("sunrise-cliffs")
    assert package is not None
    return package.id


async def count(dsn: str, sql: str, *args: object) -> int:
    connection = await asyncpg.connect(dsn)
    try:
        return int(await connection.fetchval(sql, *args))
    finally:
        await connection.close()


async def test_fifty_simultaneous_deliveries_of_one_event_to_two_instances_book_once_and_email_once(
    elope: Elope, make_elope: MakeElope, clean_postgres: str, future_date: Callable[[int], str],
) -> None:
    second = await make_elope()
    session = paid_session(package_id=await sunrise_package(elope), event_date=future_date(90))
    event = stripe_event("checkout.session.completed", session)

    answers = await asyncio.gather(*(
        deliver_until_acknowledged(elope if i % 2 else second, event) for i in range(50)))

    assert all(a[-1] == "ack" for a in answers)
    # Both instances' relays at once: SKIP LOCKED hands each message to one of them.
    await asyncio.gather(elope.relay.drain(), second.relay.drain())
    assert await count(clean_postgres, "SELECT count(*) FROM booking WHERE session_id = $1",
                       session["id"]) == 1
    assert await count(clean_postgres, "SELECT count(*) FROM sent_mail") == 1
    assert await count(clean_postgres,
                       "SELECT count(*) FROM timeline_entry WHERE kind = 'email'") == 1
    assert await count(clean_postgres,
                       "SELECT attempts FROM webhook_event WHERE event_id = $1",
                       event["id"]) >= 50
    assert await count(
        clean_postgres, "SELECT count(*) FROM webhook_event WHERE status <> 'PROCESSED'") == 0


async def test_twenty_paid_sessions_for_one_date_across_two_instances_make_one_booking_and_nineteen_refunds(
    elope: Elope, make_elope: MakeElope, clean_postgres: str, fake_stripe: FakeStripe,
    future_date: Callable[[int], str],
) -> None:
    second = await make_elope()
    package_id = await sunrise_package(elope)
    date = future_date(91)
    sessions = [paid_session(package_id=package_id, event_date=date,
                             email=f"couple{i}@example.com") for i in range(20)]
    for session in sessions:
        fake_stripe.adopt_paid(session)  # paid at Stripe, so Stripe can refund it

    answers = await asyncio.gather(*(
        deliver_until_acknowledged(elope if i % 2 else second,
                                   stripe_event("checkout.session.completed", s))
        for i, s in enumerate(sessions)))

    assert all(a[-1] == "ack" for a in answers)
    assert await count(clean_postgres,
                       "SELECT count(*) FROM booking WHERE event_date = $1::text::date AND status = 'PAID'",
                       date) == 1
    refunds = set(fake_stripe.refunds)
    assert refunds == {f"refund:{s['id']}" for s in sessions} - {
        f"refund:{s}" for s in await booked_sessions(clean_postgres)}
    assert len(refunds) == 19
    await asyncio.gather(elope.relay.drain(), second.relay.drain())
    assert await count(clean_postgres,
                       "SELECT count(*) FROM sent_mail WHERE key LIKE 'session:%:refund'") == 19
    assert await count(clean_postgres,
                       "SELECT count(*) FROM sent_mail WHERE key LIKE '%:confirmation'") == 1
    assert await count(clean_postgres,
                       "SELECT count(*) FROM webhook_event WHERE status = 'FAILED'") == 0


async def booked_sessions(dsn: str) -> set[str]:
    connection = await asyncpg.connect(dsn)
    try:
        return {r["session_id"] for r in await connection.fetch("SELECT session_id FROM booking")}
    finally:
        await connection.close()
