"""The database a command is about to use, looked at once before it is used: reachable, and
migrated by this version's migrations - plus what `elope doctor` reports about it (the
server's connection limit, its clock). One connection, closed before the command starts."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass

import asyncpg

from adapters.piccolo.connection_problems import connection_problem
from adapters.piccolo.database_address import DatabaseAddress
from adapters.piccolo.migrations_runner import applied_migrations, known_migrations
from entrypoints.cli.mistake import Mistake

# Long enough for a database across a slow network, short enough that a host that drops
# packets is reported before the operator gives up on the command.
CONNECT_SECONDS = 10.0


@dataclass(frozen=True)
class DatabaseState:
    """What one look at the database found."""

    address: DatabaseAddress
    known: tuple[str, ...]
    applied: frozenset[str]
    server_version: str
    # Seconds the database's clock is ahead of this machine's (negative: behind), and the
    # most the round trip can have made that wrong by.
    clock_ahead: float
    clock_uncertainty: float
    max_connections: int
    reserved_connections: int
    connections_in_use: int

    @property
    def pending(self) -> list[str]:
        return [name for name in self.known if name not in self.applied]

    def schema_problem(self) -> str | None:
        """Why this database cannot be served from yet, or None when every migration this
        version knows is applied."""
        pending = self.pending
        if not pending:
            return None
        if len(pending) == len(self.known):
            what = f"has none of its {len(self.known)} migrations applied"
        else:
            what = f"has {len(pending)} of its {len(self.known)} migrations not applied"
        return f"{self.address} {what}: run `elope migrate`"


async def inspect_database(url: str, parameters: dict[str, str] | None = None,
                           ) -> DatabaseState:
    """Connect once (sending `parameters` at connect, as the pool will) and look; a
    connection that fails is a Mistake with the sentence that names the database and says
    what to do."""
    address = DatabaseAddress.of(url)
    try:
        async with asyncio.timeout(CONNECT_SECONDS):
            # No statement cache: this one connection may go through PgBouncer in transaction
            # mode, where a named prepared statement can land on another server connection.
            connection = await asyncpg.connect(url, timeout=CONNECT_SECONDS,
                                               statement_cache_size=0,
                                               server_settings=parameters)
            try:
                return await _look(connection, address)
            finally:
                await connection.close()
    except Exception as exc:
        sentence = connection_problem(exc, address)
        if sentence is None:
            raise
        raise Mistake(sentence) from exc


async def _look(connection: asyncpg.Connection, address: DatabaseAddress) -> DatabaseState:
    applied = await applied_migrations(connection)
    before = time.time()
    server_now = await connection.fetchval("SELECT extract(epoch FROM clock_timestamp())")
    after = time.time()
    limits = await connection.fetchrow(
        "SELECT current_setting('max_connections')::int AS max,"
        " current_setting('superuser_reserved_connections')::int AS reserved,"
        " (SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend')::int"
        " AS in_use, current_setting('server_version') AS version")
    assert limits is not None  # a SELECT without FROM returns its one row
    return DatabaseState(
        address=address, known=tuple(known_migrations()), applied=frozenset(applied),
        server_version=limits["version"],
        clock_ahead=float(server_now) - (before + after) / 2,
        clock_uncertainty=(after - before) / 2,
        max_connections=limits["max"], reserved_connections=limits["reserved"],
        connections_in_use=limits["in_use"])


async def require_migrated(url: str, parameters: dict[str, str] | None = None,
                           ) -> DatabaseState:
    """The database, when it is reachable and fully migrated; otherwise a Mistake."""
    state = await inspect_database(url, parameters)
    problem = state.schema_problem()
    if problem is not None:
        raise Mistake(problem)
    return state
