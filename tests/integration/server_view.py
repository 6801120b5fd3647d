"""What PostgreSQL itself sees, for tests that must not take the application's word for it:
statements sent by the pool, and writes made behind the application's back."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Awaitable, Callable
from typing import Any

import asyncpg

PATIENCE = 10.0
# The pool's connections are named so (adapters/piccolo/database.py); the tests' own are not.
POOL = "elope"
TESTS = "elope-tests"


async def eventually(check: Callable[[], Awaitable[bool]]) -> None:
    """Wait until `check()` holds; fail after PATIENCE seconds."""
    async with asyncio.timeout(PATIENCE):
        while True:
            if await check():
                return
            await asyncio.sleep(0.02)


async def sql(dsn: str, statement: str, *args: object) -> Any:
    """One value, read or written on a connection of the test's own."""
    connection = await asyncpg.connect(dsn, server_settings={"application_name": TESTS})
    try:
        return await connection.fetchval(statement, *args)
    finally:
        await connection.close()


async def unannounced(dsn: str, statement: str, *args: object) -> None:
    """Write with the triggers switched off for this session: a change nobody is told of."""
    connection = await asyncpg.connect(dsn, server_settings={"application_name": TESTS})
    try:
        await connection.execute("SET session_replication_role = replica")
        await connection.execute(statement, *args)
    finally:
        await connection.close()


class PoolActivity:
    """Whether this process's pool sent PostgreSQL anything, as the server sees it: the start
    of the last statement of each of its connections (pg_stat_activity)."""

    def __init__(self, dsn: str) -> None:
        self._dsn = dsn

    async def _snapshot(self) -> dict[int, tuple[dt.datetime, str]]:
        connection = await asyncpg.connect(self._dsn,
                                           server_settings={"application_name": TESTS})
        try:
            rows = await connection.fetch(
                """SELECT pid, query_start, query FROM pg_stat_activity
                   WHERE datname = current_database() AND application_name = $1""", POOL)
        finally:
            await connection.close()
        return {r["pid"]: (r["query_start"], r["query"]) for r in rows}

    async def statements_during(self, work: Callable[[], Awaitable[object]]) -> list[str]:
        """The last statement of each pooled connection that ran any while `work` ran."""
        before = await self._snapshot()
        await work()
        after = await self._snapshot()
        return [query for pid, (started, query) in after.items()
                if pid not in before or before[pid][0] != started]
