"""Open holds per owner on PostgreSQL: the replacement of an email's older holds and the
HOLDS_PER_CLIENT count, both under transaction-level advisory locks on the client and on the
email. The date lock alone would not do: one client's checkouts for different dates hold
different date locks, and would count past the limit side by side."""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

import asyncpg

from adapters.piccolo.statements import Connection, fetch
from adapters.piccolo.tables import HoldRow
from domain.errors import DateBusy, TooManyHolds
from domain.hold import DateHold

_REPLACE = """
    UPDATE date_hold SET released_at = {}
    WHERE email = {} AND client = {} AND released_at IS NULL AND expires_at > {}
    RETURNING session_id, event_date, expires_at, released_at, correlation_id, package_id,
              settled, email, client"""

# Both owners in one round trip: how many active holds each has, and when the first ends.
# The couple's own holds from this client are left out: a new checkout replaces them.
_COUNT = """
    SELECT count(*) FILTER (WHERE client = {}) AS by_client,
           min(expires_at) FILTER (WHERE client = {}) AS client_frees,
           count(*) FILTER (WHERE email = {}) AS by_email,
           min(expires_at) FILTER (WHERE email = {}) AS email_frees
    FROM date_hold
    WHERE released_at IS NULL AND expires_at > {} AND (client = {} OR email = {})
      AND (email IS DISTINCT FROM {} OR client IS DISTINCT FROM {})"""


def owner_lock_key(owner: str, value: str) -> int:
    """A stable signed 64-bit advisory-lock key per owner, apart from the dates' keys."""
    digest = hashlib.blake2b(f"elope:{owner}:{value}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


async def replace_and_count(
    connection: Connection, hold: DateHold, now: dt.datetime, limit: int,
) -> list[dict[str, Any]]:
    """Release the same email's active holds from the same client (their rows, released),
    then raise TooManyHolds if either owner is at the limit. Run inside the placing
    transaction: a refusal rolls the replacement back with everything else."""
    # Always client, then email: two placements never wait on each other in a cycle.
    try:
        for owner, value in (("client", hold.client), ("email", hold.email)):
            if value:
                await connection.lock(owner_lock_key(owner, value))
    except asyncpg.LockNotAvailableError as exc:
        raise DateBusy(str(hold.event_date)) from exc
    replaced: list[dict[str, Any]] = []
    if hold.email and hold.client:
        replaced = await fetch(connection, HoldRow.raw(
            _REPLACE, now, hold.email, hold.client, now))
    await refuse_past_limit(connection, hold.email, hold.client, now, limit)
    return replaced


async def refuse_past_limit(
    connection: Connection, email: str, client: str, now: dt.datetime, limit: int,
) -> None:
    """TooManyHolds if the client or the email has `limit` active holds besides the ones a
    checkout of this couple from this client would replace."""
    client_key, email_key = client or None, email or None  # '' (NULL here) matches nothing
    (row,) = await fetch(connection, HoldRow.raw(
        _COUNT, client_key, client_key, email_key, email_key, now, client_key, email_key,
        email_key, client_key))
    for owner, count, frees in (("client", row["by_client"], row["client_frees"]),
                                ("email", row["by_email"], row["email_frees"])):
        if count >= limit:
            raise TooManyHolds(owner, limit, (frees - now).total_seconds())
