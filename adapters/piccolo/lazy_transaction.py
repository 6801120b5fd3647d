"""A pooled connection whose transaction costs only the round trips it needs.

Each round trip to PostgreSQL costs a socket send, a wake-up and the server's turn, whatever
the statement; most of a booking's time went on BEGINs nobody needed, ROLLBACKs of empty
transactions and one trip per small write. So:

- No BEGIN for plain reads. Under READ COMMITTED (the server default, and ours) every
  statement reads its own fresh snapshot inside or outside a transaction, so a read before
  the first write or lock sees exactly what it would see after a BEGIN; a read-only unit of
  work costs its reads and nothing else.
- BEGIN travels with the date lock in one simple-protocol message when the lock comes first
  (the key is our own integer, so nothing user-supplied is ever inlined), and goes alone
  before a first write otherwise.
- Inside `batch()` writes whose results nobody reads queue up and leave as one statement
  (data-modifying CTEs), their errors translated as if each had run alone; the first read
  or the end of the batch sends them, so reads still see the transaction's own writes. A
  commit inside the batch, when nothing else began a transaction, sends them as that one
  statement alone: atomic by itself, it needs no BEGIN and no COMMIT.
- COMMIT carries the outbox notification in the same message; nothing follows it until the
  next statement asks for a transaction again.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any, TypeAlias

import asyncpg
from asyncpg.pool import PoolConnectionProxy
from piccolo.query.base import Query
from piccolo.query.methods.count import Count
from piccolo.query.methods.exists import Exists
from piccolo.query.methods.objects import Objects
from piccolo.query.methods.select import Select
from piccolo.querystring import QueryString

from domain.errors import NotFound

# A connection borrowed from the pool. (Subscripted only for the type checker: asyncpg's
# runtime class is not generic.)
PooledConnection: TypeAlias = "PoolConnectionProxy[asyncpg.Record]"
# Turns the database error a queued write raised into the domain error its repository would
# have raised had it run alone; None when the error is not this write's.
ErrorTranslation = Callable[[asyncpg.PostgresError], Exception | None]


@dataclass(frozen=True)
class _QueuedWrite:
    sql: QueryString
    # A write that must touch a row carries RETURNING and the NotFound message if none.
    missing: str | None
    translate: ErrorTranslation | None


def compiled(query: Query[Any, Any] | QueryString) -> tuple[str, list[Any]]:
    querystring = query if isinstance(query, QueryString) else _single(query)
    sql, args = querystring.compile_string(engine_type="postgres")
    return sql, list(args)


def _single(query: Query[Any, Any]) -> QueryString:
    (querystring,) = query.querystrings
    return querystring


def _needs_transaction(query: Query[Any, Any]) -> bool:
    if isinstance(query, Select | Objects):
        return query.lock_rows_delegate._lock_rows is not None
    return not isinstance(query, Exists | Count)


class LazyTransaction:
    """One connection's transaction, begun by the first statement that needs it."""

    def __init__(self, connection: PooledConnection) -> None:
        self.connection = connection
        self._batching = 0
        self._queued: list[_QueuedWrite] = []

    @property
    def open(self) -> bool:
        # What the server said at its last ReadyForQuery, failed transactions included: the
        # truth even after a statement failed half-way through a multi-statement message.
        return bool(self.connection.is_in_transaction())

    async def fetch(self, query: Query[Any, Any]) -> list[dict[str, Any]]:
        await self._send_queued()
        if _needs_transaction(query):
            await self._begin()
        sql, args = compiled(query)
        return [dict(row) for row in await self.connection.fetch(sql, *args)]

    async def execute(self, query: Query[Any, Any]) -> None:
        await self._send_queued()
        await self._begin()
        sql, args = compiled(query)
        await self.connection.execute(sql, *args)

    async def write(
        self, query: Query[Any, Any], *, missing: str | None = None,
        translate: ErrorTranslation | None = None,
    ) -> None:
        """A write whose result nobody reads: queued inside `batch()`, else run at once.
        `missing` (the query must return a row) raises NotFound when nothing was touched."""
        queued = _QueuedWrite(_single(query), missing, translate)
        if self._batching:
            self._queued.append(queued)
        else:
            await self._run((queued,))

    @asynccontextmanager
    async def batch(self) -> AsyncIterator[None]:
        self._batching += 1
        try:
            yield
        finally:
            self._batching -= 1
        # Not on an exception: the transaction is rolled back and the writes with it.
        if not self._batching:
            await self._send_queued()

    async def lock(self, key: int) -> None:
        """Take the transaction-level advisory lock `key`, waiting up to the lock timeout."""
        await self._send_queued()
        statement = f"SELECT pg_advisory_xact_lock({int(key)})"
        if self.open:
            await self.connection.execute(statement)
            return
        await self.connection.execute(f"BEGIN; {statement}")

    async def commit(self, notify: str | None = None) -> None:
        """COMMIT (with NOTIFY `notify` at it) if a transaction is open."""
        if self._queued and not self.open:
            # Queued writes are all this unit of work did: one statement is atomic by itself,
            # so it goes alone - no BEGIN, no COMMIT, one round trip.
            queued, self._queued = tuple(self._queued), []
            await self._run(queued, notify=notify, alone=True)
            return
        await self._send_queued()
        if not self.open:
            if notify is None:
                return
            await self._begin()
        # The channel is our own constant, never user input.
        status = await self.connection.execute(f"NOTIFY {notify}; COMMIT" if notify else "COMMIT")
        if status == "ROLLBACK":
            # The server ends a failed transaction this way: a caller went on after an error.
            raise RuntimeError("commit() of a transaction a statement had failed in")

    async def rollback(self) -> None:
        self._queued.clear()
        if self.open:
            await self.connection.execute("ROLLBACK")

    async def _begin(self) -> None:
        if not self.open:
            await self.connection.execute("BEGIN")

    async def _send_queued(self) -> None:
        if self._queued:
            queued, self._queued = tuple(self._queued), []
            await self._run(queued)

    async def _run(
        self, writes: tuple[_QueuedWrite, ...], *, notify: str | None = None, alone: bool = False,
    ) -> None:
        if not alone:
            await self._begin()
        checked = [(i, w) for i, w in enumerate(writes) if w.missing is not None]
        # The server fails the statement itself when a write found nothing (migration
        # 2026-12-07T06): the others are undone with it even without a transaction around.
        selected = [f"elope_require((SELECT count(*) FROM w{i}), {{}})" for i, _ in checked]
        if notify is not None:
            # Our own channel constant, never user input; delivered if the statement commits.
            if not notify.isidentifier():
                raise ValueError(f"not a channel name: {notify!r}")
            selected.append(f"pg_notify('{notify}', '')")
        counts = ", ".join(selected) or "1"
        if len(writes) == 1 and not checked and notify is None:
            statement = writes[0].sql
        else:
            ctes = ", ".join(f"w{i} AS ({{}})" for i in range(len(writes)))
            statement = QueryString(f"WITH {ctes} SELECT {counts}", *(w.sql for w in writes),
                                    *(w.missing for _, w in checked))
        sql, args = compiled(statement)
        try:
            await self.connection.execute(sql, *args)
        except asyncpg.NoDataFoundError as exc:
            raise NotFound(str(exc)) from exc
        except asyncpg.PostgresError as exc:
            for write in writes:
                translated = write.translate(exc) if write.translate else None
                if translated is not None:
                    raise translated from exc
            raise
