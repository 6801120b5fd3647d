"""The PostgreSQL engine: one pool per process, timeouts on every connection, and the binding
of every Piccolo table to it (Piccolo tables are class-level active records)."""

from __future__ import annotations

import asyncio
import logging

import asyncpg
from piccolo.apps.migrations.tables import Migration
from piccolo.engine.postgres import PostgresEngine
from piccolo.table import Table

from adapters.piccolo.tables import ALL_TABLES

log = logging.getLogger("elope.db")


class PiccoloDatabase:
    def __init__(
        self, dsn: str, *, pool_min: int = 1, pool_max: int = 10,
        statement_timeout_ms: int = 5000, lock_timeout_ms: int = 2000,
    ) -> None:
        self._pool_min = pool_min
        self._pool_max = pool_max
        self._server_settings = {
            "statement_timeout": str(statement_timeout_ms),
            "lock_timeout": str(lock_timeout_ms),
            # Stored timestamps are timestamptz; the session zone only affects rendering.
            "timezone": "UTC",
            "application_name": "elope",
        }
        self.engine = PostgresEngine(config={"dsn": dsn}, extensions=(), log_queries=False)
        tables: list[type[Table]] = [*ALL_TABLES, Migration]
        for table in tables:
            table._meta.db = self.engine

    async def open(self) -> None:
        await self.engine.start_connection_pool(
            min_size=self._pool_min, max_size=self._pool_max,
            server_settings=self._server_settings,
        )

    async def close(self) -> None:
        if self.engine.pool is not None:
            await self.engine.close_connection_pool()

    @property
    def pool(self) -> asyncpg.Pool | None:
        return self.engine.pool

    def pool_usage(self) -> tuple[int, int]:
        """(connections open, connections in use), for /metrics."""
        pool = self.pool
        if pool is None:
            return (0, 0)
        size = pool.get_size()
        return size, size - pool.get_idle_size()

    async def ping(self, within_seconds: float = 2.0) -> bool:
        """Whether the database answers a trivial query in time (readiness)."""
        pool = self.pool
        if pool is None:
            return False
        try:
            async with asyncio.timeout(within_seconds):
                async with pool.acquire() as connection:
                    return bool(await connection.fetchval("SELECT 1") == 1)
        except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError, TimeoutError):
            return False
