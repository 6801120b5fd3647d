"""The PostgreSQL engine: one pool per process, timeouts on every connection, and the binding
of every Piccolo table to it (Piccolo tables are class-level active records)."""

from __future__ import annotations

import asyncio
import contextlib
import logging

import asyncpg
from piccolo.apps.migrations.tables import Migration
from piccolo.engine.postgres import PostgresEngine
from piccolo.table import Table

from adapters.piccolo.lazy_transaction import PooledConnection
from adapters.piccolo.tables import ALL_TABLES
from domain.errors import StorageUnavailable

log = logging.getLogger("elope.db")

# What the server being gone looks like to asyncpg (down, restarted, failed over, cut off).
UNREACHABLE = (
    OSError, TimeoutError, asyncpg.InterfaceError, asyncpg.PostgresConnectionError,
    asyncpg.CannotConnectNowError, asyncpg.TooManyConnectionsError,
    asyncpg.AdminShutdownError, asyncpg.QueryCanceledError,
    # What asyncpg raises on a connection the server terminated under it mid-protocol.
    asyncpg.exceptions.InternalClientError,
)


# Piccolo binds tables to one engine per process (class-level active records), and a query runs
# in a transaction only if it goes through the engine that opened it. So every PiccoloDatabase
# of a process shares one engine per DSN (and its pool), counted by its users.
_engines: dict[str, PostgresEngine] = {}
_users: dict[str, int] = {}


async def _keep_session(connection: asyncpg.Connection) -> None:
    """The pool's reset: nothing. asyncpg's default sends `RESET ALL; UNLISTEN *; CLOSE ALL;
    pg_advisory_unlock_all()` on every release - a round trip per unit of work for state Elope
    never leaves behind: no SET, no LISTEN and no cursor on pooled connections, advisory locks
    only at transaction level. (asyncpg still rolls back a transaction left open, and a unit
    of work never hands one back.)"""


def startup_parameters(statement_timeout_ms: int, lock_timeout_ms: int,
                       transaction_pooling: bool) -> dict[str, str]:
    """What each pooled connection sends when it connects. The timeouts go with it only on a
    session of our own: a pooler in transaction mode refuses them (and they would outlive the
    transaction), so there each transaction sets them instead."""
    # Stored timestamps are timestamptz; the session zone only affects rendering.
    parameters = {"timezone": "UTC", "application_name": "elope"}
    if not transaction_pooling:
        parameters.update(_timeouts(statement_timeout_ms, lock_timeout_ms))
    return parameters


def _timeouts(statement_timeout_ms: int, lock_timeout_ms: int) -> dict[str, str]:
    return {"statement_timeout": str(statement_timeout_ms), "lock_timeout": str(lock_timeout_ms)}


class PiccoloDatabase:
    def __init__(
        self, dsn: str, *, pool_min: int = 1, pool_max: int = 10,
        statement_timeout_ms: int = 5000, lock_timeout_ms: int = 2000,
        transaction_pooling: bool = False,
    ) -> None:
        """`transaction_pooling`: `dsn` is a pooler in transaction mode (PgBouncer), where a
        connection's session is not ours from one transaction to the next."""
        self._pool_min = pool_min
        self._pool_max = pool_max
        timeouts = _timeouts(statement_timeout_ms, lock_timeout_ms)
        self._server_settings = startup_parameters(statement_timeout_ms, lock_timeout_ms,
                                                   transaction_pooling)
        self._pool_options: dict[str, object] = {}
        if transaction_pooling:
            # PgBouncer refuses other startup parameters, and a SET would stay behind on a
            # server connection we give back: each transaction sets its own timeouts instead,
            # in the BEGIN's message (no round trip of its own). A statement outside a
            # transaction runs under the role's defaults (deploy/README.md).
            self.begin_sql = "BEGIN; " + "; ".join(f"SET LOCAL {name} = {value}"
                                                    for name, value in timeouts.items())
            # asyncpg's cache names each statement on the server connection that prepared it,
            # which the next transaction may not get; 0 makes it use the unnamed statement,
            # parsed again with each execution.
            self._pool_options["statement_cache_size"] = 0
        else:
            self.begin_sql = "BEGIN"
        self._dsn = dsn
        self._open = False
        # A request waits this long for a free connection before it is told "503, try again".
        self.acquire_timeout = 10.0
        if dsn not in _engines:
            _engines[dsn] = PostgresEngine(config={"dsn": dsn}, extensions=(), log_queries=False)
        self.engine = _engines[dsn]
        tables: list[type[Table]] = [*ALL_TABLES, Migration]
        for table in tables:
            table._meta.db = self.engine

    async def open(self) -> None:
        if self._open:
            return
        if _users.get(self._dsn, 0) == 0:
            await self.engine.start_connection_pool(
                min_size=self._pool_min, max_size=self._pool_max,
                server_settings=self._server_settings, reset=_keep_session,
                **self._pool_options,
            )
        _users[self._dsn] = _users.get(self._dsn, 0) + 1
        self._open = True

    async def close(self) -> None:
        if not self._open:
            return
        self._open = False
        _users[self._dsn] -= 1
        if _users[self._dsn] == 0 and self.engine.pool is not None:
            await self.engine.close_connection_pool()

    @property
    def dsn(self) -> str:
        return self._dsn

    @property
    def pool(self) -> asyncpg.Pool | None:
        return self.engine.pool

    async def acquire(self) -> PooledConnection:
        """A pooled connection within `acquire_timeout`, else StorageUnavailable: any refusal
        (server down, database closed to new connections, pool exhausted) means the same to
        a caller - try again later."""
        pool = self.pool
        if pool is None:
            raise StorageUnavailable("the database pool is not open")
        try:
            return await pool.acquire(timeout=self.acquire_timeout)
        except (*UNREACHABLE, asyncpg.PostgresError) as exc:
            await self.connections_lost()
            raise StorageUnavailable("the database is unavailable") from exc

    async def release(self, connection: PooledConnection) -> None:
        """Back to the pool as it is (no reset query): a connection still in a transaction,
        dead, or whose pool is gone is closed instead."""
        pool = self.pool
        try:
            if pool is not None and not connection.is_closed() and not connection.is_in_transaction():
                await pool.release(connection, timeout=5)
            else:
                connection.terminate()
        except (*UNREACHABLE, asyncpg.PostgresError):
            # The pool may have taken the dead connection back itself (its holder released
            # while the server cut it): nothing is left to close. Raised from here, this hid
            # the unit of work's StorageUnavailable behind a bare driver error.
            with contextlib.suppress(asyncpg.InterfaceError):
                connection.terminate()

    async def connections_lost(self) -> None:
        """The server dropped us (restart, failover, outage): replace every pooled connection
        on its next use, instead of handing out dead ones one failed request at a time."""
        if self.pool is not None:
            await self.pool.expire_connections()

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
