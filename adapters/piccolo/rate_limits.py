"""Rate limits on PostgreSQL, so every instance on one database shares each budget: one row
per (limit, key, window), counted by an upsert - one round trip per hit.

The table (migrations/elope_2026_12_07t09_00_00_000000.py) has no Piccolo class: Piccolo
would add an `id` column it does not have, and the two statements here are plain SQL.

Why not the `limits` library here: it has no PostgreSQL storage, and its Redis one would make
the real preset depend on a second service. Fixed windows aligned to the epoch (a burst across
a window's edge may get up to twice the amount), with the database's clock, so instances
with drifting clocks agree."""

from __future__ import annotations

import asyncpg

from adapters.piccolo.database import UNREACHABLE, PiccoloDatabase
from application.ports.rate_limits import RateLimit
from domain.errors import StorageUnavailable

# Windows older than a day are deleted now and then, by whichever hit comes along.
SWEEP_EVERY_HITS = 500

_WINDOW = "to_timestamp(floor(extract(epoch FROM clock_timestamp()) / $3) * $3)"
_LEFT = f"extract(epoch FROM {_WINDOW} + make_interval(secs => $3) - clock_timestamp())"

_HIT = f"""
    INSERT INTO rate_counter AS c (name, key, window_start, hits)
    VALUES ($1, $2, {_WINDOW}, 1)
    ON CONFLICT (name, key, window_start) DO UPDATE SET hits = c.hits + 1
    RETURNING c.hits, {_LEFT} AS seconds_left"""

_PEEK = f"""
    SELECT coalesce((SELECT hits FROM rate_counter
                     WHERE name = $1 AND key = $2 AND window_start = {_WINDOW}), 0) AS hits,
           {_LEFT} AS seconds_left"""

_SWEEP = "DELETE FROM rate_counter WHERE window_start < clock_timestamp() - interval '1 day'"


class PiccoloRateLimiter:
    def __init__(self, database: PiccoloDatabase) -> None:
        self._database = database
        self._hits = 0

    async def hit(self, limit: RateLimit, key: str) -> float | None:
        self._hits += 1
        sweep = self._hits % SWEEP_EVERY_HITS == 0
        row = await self._fetch(_HIT, limit, key, sweep=sweep)
        return None if row["hits"] <= limit.amount else float(row["seconds_left"])

    async def blocked_for(self, limit: RateLimit, key: str) -> float | None:
        row = await self._fetch(_PEEK, limit, key)
        return None if row["hits"] < limit.amount else float(row["seconds_left"])

    async def _fetch(self, sql: str, limit: RateLimit, key: str, *, sweep: bool = False
                     ) -> asyncpg.Record:
        connection = await self._database.acquire()
        try:
            row = await connection.fetchrow(sql, limit.name, key, limit.seconds)
            if sweep:
                await connection.execute(_SWEEP)
        except (*UNREACHABLE, asyncpg.PostgresError) as exc:
            raise StorageUnavailable("the database is unavailable") from exc
        finally:
            await self._database.release(connection)
        assert row is not None
        return row
