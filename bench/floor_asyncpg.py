"""The bare-asyncpg floor: a paid webhook booked with no framework and no ORM.

A plain ASGI callable, served by uvicorn with the options `elope serve` uses (uvloop and
httptools when installed, no access log), on the service's own tables in a database of its
own. For each POST it reads the body, parses the JSON and books the session's date in one
transaction, a statement per round trip (twelve with BEGIN and COMMIT) - the same rows and
index work as the service's paid webhook, and nothing else: no signature check, no retries,
no tracing, no relay. What the
service does beyond this is what its throughput is compared against.

Run: `python -m bench.floor_asyncpg PORT DATABASE_URL`.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
import uuid
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

import asyncpg

Scope = dict[str, Any]
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]

# The service's pool bounds (DB_POOL_MIN / DB_POOL_MAX defaults), so both wait alike.
POOL_MIN, POOL_MAX = 1, 10


async def _no_reset(_connection: asyncpg.Connection) -> None:
    """Nothing to reset on release, as in the service's pool: asyncpg's default reset query
    would cost a round trip per request for session state this floor never changes."""

CLAIM = """INSERT INTO webhook_event (event_id, event_type, raw_payload, status, attempts,
    created_at, claimed_until) VALUES ($1, $2, $3, 'PENDING', 1, now(), now() + interval '2 min')
    ON CONFLICT (event_id) DO NOTHING RETURNING event_id"""
LOCK_DATE = "SELECT pg_try_advisory_xact_lock($1)"
TAKEN = """SELECT EXISTS (SELECT 1 FROM booking WHERE session_id = $1)
    OR EXISTS (SELECT 1 FROM booking WHERE event_date = $2 AND status = 'PAID')"""
BLACKOUT = "SELECT EXISTS (SELECT 1 FROM blackout WHERE date = $1)"
PACKAGE = "SELECT price_cents FROM package WHERE id = $1 AND active"
BOOK = """INSERT INTO booking (id, package_id, couple_name, email, event_date, total_cents, status,
    created_at, session_id, payment_intent_id, correlation_id)
    VALUES ($1, $2, $3, $4, $5, $6, 'PAID', now(), $7, $8, $9)"""
RELEASE_HOLD = """UPDATE date_hold SET released_at = COALESCE(released_at, now()), settled = true
    WHERE session_id = $1"""
TIMELINE = """INSERT INTO timeline_entry (session_id, at, kind, detail, correlation_id)
    VALUES ($1, now(), 'status', $2, $3)"""
OUTBOX = """INSERT INTO outbox_message (id, event_type, payload, created_at, available_at)
    VALUES ($1, 'BookingPaid', $2::jsonb, now(), now())"""
PROCESSED = """UPDATE webhook_event SET status = 'PROCESSED', processed_at = now(),
    claimed_until = NULL WHERE event_id = $1"""


async def book(pool: asyncpg.Pool, raw: bytes) -> str:
    """The event's verdict: PROCESSED (booked), DUPLICATE (seen or taken) or REJECTED."""
    event = json.loads(raw)
    session = event["data"]["object"]
    meta = session["metadata"]
    day = dt.date.fromisoformat(meta["eventDate"])
    async with pool.acquire() as connection, connection.transaction():
        if await connection.fetchval(CLAIM, event["id"], event["type"], raw.decode()) is None:
            return "DUPLICATE"
        if not await connection.fetchval(LOCK_DATE, day.toordinal()):
            raise RuntimeError(f"{day} is being booked by another request")
        if await connection.fetchval(TAKEN, session["id"], day):
            return "DUPLICATE"
        if await connection.fetchval(BLACKOUT, day):
            return "REJECTED"
        if await connection.fetchval(PACKAGE, meta["packageId"]) is None:
            return "REJECTED"
        booking_id = f"bk_{uuid.uuid4().hex}"
        await connection.execute(BOOK, booking_id, meta["packageId"], meta["coupleName"],
                                 meta["email"], day, session["amount_total"], session["id"],
                                 session["payment_intent"], meta["correlationId"])
        await connection.execute(RELEASE_HOLD, session["id"])
        await connection.execute(TIMELINE, session["id"], f"booking {booking_id} created: PAID",
                                 meta["correlationId"])
        await connection.execute(OUTBOX, f"msg_{uuid.uuid4().hex}",
                                 json.dumps({"bookingId": booking_id, "date": str(day)}))
        await connection.execute(PROCESSED, event["id"])
    return "PROCESSED"


class Floor:
    """The ASGI app: a pool opened at start-up, one booking per POST, 200 to any GET."""

    def __init__(self, dsn: str) -> None:
        self._dsn = dsn
        self._pool: asyncpg.Pool | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self._lifespan(receive, send)
            return
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        answer: dict[str, object] = {"status": "ok"}
        if scope["method"] == "POST":
            assert self._pool is not None
            verdict = await book(self._pool, body)
            answer = {"received": True, "eventId": json.loads(body)["id"], "status": verdict}
        await send({"type": "http.response.start", "status": 200,
                    "headers": [(b"content-type", b"application/json")]})
        await send({"type": "http.response.body", "body": json.dumps(answer).encode()})

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                self._pool = await asyncpg.create_pool(self._dsn, min_size=POOL_MIN,
                                                       max_size=POOL_MAX, reset=_no_reset)
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                if self._pool is not None:
                    await self._pool.close()
                await send({"type": "lifespan.shutdown.complete"})
                return


def main() -> None:
    import uvicorn

    # As `elope serve` runs uvicorn: loop and http "auto" pick uvloop and httptools.
    uvicorn.run(Floor(sys.argv[2]), host="127.0.0.1", port=int(sys.argv[1]), log_config=None,
                access_log=False)


if __name__ == "__main__":
    main()
