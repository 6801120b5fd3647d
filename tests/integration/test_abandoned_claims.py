"""A delivery whose processor is gone - crashed, stopped, or cut off from the database in the
middle of the work - holds its event hostage no longer: the next delivery takes it over at
once instead of answering 409 until the claim's two-minute lease runs out. One whose
processor still runs keeps it."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from typing import Any

import asyncpg
import httpx

from adapters.piccolo.processor_lock import ProcessorLock
from entrypoints.bootstrap import Elope
from tests.conftest import paid_session, sign, stripe_event
from tests.integration.conftest import WEBHOOK_SECRET


async def claimed_event(elope: Elope, dsn: str, date: str, claimant: str,
                        ) -> tuple[bytes, dict[str, str], str]:
    """A paid event whose first delivery claimed it (PENDING, lease running) as `claimant`
    and then got no further; returns the signed redelivery and the session id."""
    async with elope.uow() as tx:
        package = await tx.packages.get_by_slug("sunrise-cliffs")
    assert package is not None
    session = paid_session(package_id=package.id, event_date=date)
    event: dict[str, Any] = stripe_event("checkout.session.completed", session)
    raw, headers = sign(event, WEBHOOK_SECRET)
    now = dt.datetime.now(dt.UTC)
    connection = await asyncpg.connect(dsn)
    try:
        await connection.execute(
            "INSERT INTO webhook_event (event_id, event_type, raw_payload, status, attempts,"
            " created_at, claimed_until, claimed_by) VALUES ($1, $2, $3, 'PENDING', 1, $4, $5, $6)",
            event["id"], event["type"], json.dumps(event), now, now + dt.timedelta(minutes=2),
            claimant)
    finally:
        await connection.close()
    return raw, headers, str(session["id"])


async def test_a_delivery_takes_over_an_event_whose_processor_is_gone(
    elope: Elope, client: httpx.AsyncClient, clean_postgres: str,
    future_date: Callable[[int], str],
) -> None:
    # A processor name whose liveness lock nobody holds: it crashed, or lost its connection.
    raw, headers, session_id = await claimed_event(elope, clean_postgres, future_date(120),
                                                   "pg:424242")

    redelivery = await client.post("/v1/webhooks/stripe", content=raw, headers=headers)

    assert redelivery.status_code == 200, redelivery.text
    assert redelivery.json()["status"] == "PROCESSED"
    async with elope.uow() as tx:
        booking = await tx.bookings.by_session(session_id)
    assert booking is not None and booking.status.value == "PAID"


async def test_an_event_whose_processor_still_runs_stays_its_own_until_that_one_is_gone(
    elope: Elope, client: httpx.AsyncClient, clean_postgres: str,
    future_date: Callable[[int], str],
) -> None:
    other_process = await asyncpg.connect(clean_postgres)
    lock = ProcessorLock()
    await lock.take(other_process)  # another instance, alive, at work on the event
    claimant = lock.current()
    assert claimant is not None
    raw, headers, session_id = await claimed_event(elope, clean_postgres, future_date(121),
                                                   claimant)

    while_alive = await client.post("/v1/webhooks/stripe", content=raw, headers=headers)
    await other_process.close()  # it stops (or crashes): PostgreSQL lets its lock go
    after = await client.post("/v1/webhooks/stripe", content=raw, headers=headers)

    assert while_alive.status_code == 409, while_alive.text
    assert after.status_code == 200, after.text
    async with elope.uow() as tx:
        booking = await tx.bookings.by_session(session_id)
    assert booking is not None
