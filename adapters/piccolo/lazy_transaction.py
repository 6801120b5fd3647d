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

import re
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any, TypeAlias

import asyncpg
from asyncpg.pool import PoolConnectionProxy
from piccolo.query.base import Query
from piccolo.querystring import QueryString

from adapters.piccolo.prepared import Statement, compile_query
from domain.errors import NotFound

# A connection borrowed from the pool. (Subscripted only for the type checker: asyncpg's
# runtime class is not generic.)
PooledConnection: TypeAlias = "PoolConnectionProxy[asyncpg.Record]"
# What a repository runs: a Piccolo query (a raw QueryString counts as a write), or a
# Statement prepared from one.
Runnable: TypeAlias = "Query[Any, Any] | QueryString | Statement"
# Turns the database error a queued write raised into the domain error its repository would
# have raised had it run alone; None when the error is not this write's.
ErrorTranslation = Callable[[asyncpg.PostgresError], Exception | None]
_PARAMETER = re.compile(r"\$(\d+)")


@dataclass(frozen=True)
class _QueuedWrite:
    statement: Statement
    # A write that must touch a row carries RETURNING and the NotFound message if none.
    missing: str | None
    translate: ErrorTranslation | None


def _statement(query: Runnable) -> Statement:
    return query if isinstance(query, Statement) else compile_query(query)


def _combined(
    writes: tuple[_QueuedWrite, ...], notify: str | None,
) -> tuple[str, list[Any]]:
    """One statement of data-modifying CTEs w0, w1, ..., each write's $n moved past the
    parameters of the writes before it (our SQL has no `$n` inside a literal)."""
    ctes: list[str] = []
    args: list[Any] = []
    for i, write in enumerate(writes):
        offset = len(args)

        def moved(match: re.Match[str], offset: int = offset) -> str:
            return f"${int(match.group(1)) + offset}"

        ctes.append(f"w{i} AS ({_PARAMETER.sub(moved, write.statement.sql)})")
        args.extend(write.statement.args)
    selected = []
    for i, write in enumerate(writes):
        if write.missing is not None:
            # The server fails the statement itself when a write found nothing (migration
            # 2026-12-07T06): the others are undone with it even without a transaction.
            args.append(write.missing)
            selected.append(f"elope_require((SELECT count(*) FROM w{i}), ${len(args)})")
    if notify is not None:
        # Our own channel constant, never user input; delivered if the statement commits.
        if not notify.isidentifier():
            raise ValueError(f"not a channel name: {notify!r}")
        selected.append(f"pg_notify('{notify}', '')")
    return f"WITH {', '.join(ctes)} SELECT {', '.join(selected) or '1'}", args


class LazyTransaction:
    """One connection's transaction, begun by the first statement that needs it."""

    def __init__(self, connection: PooledConnection, begin: str = "BEGIN") -> None:
        """`begin`: what opens a transaction (BEGIN, and any SET LOCAL it carries)."""
        self.connection = connection
        self._begin_statement = begin
        self._batching = 0
        self._queued: list[_QueuedWrite] = []

    @property
    def open(self) -> bool:
        # What the server said at its last ReadyForQuery, failed transactions included: the
        # truth even after a statement failed half-way through a multi-statement message.
        return bool(self.connection.is_in_transaction())

    async def fetch(self, query: Runnable) -> list[dict[str, Any]]:
        await self._send_queued()
        statement = _statement(query)
        if not statement.reads_only:
            await self._begin()
        return [dict(row) for row in await self.connection.fetch(statement.sql, *statement.args)]

    async def execute(self, query: Runnable) -> None:
        await self._send_queued()
        await self._begin()
        statement = _statement(query)
        await self.connection.execute(statement.sql, *statement.args)

    async def write(
        self, query: Runnable, *, missing: str | None = None,
        translate: ErrorTranslation | None = None,
    ) -> None:
        """A write whose result nobody reads: queued inside `batch()`, else run at once.
        `missing` (the query must return a row) raises NotFound when nothing was touched."""
        queued = _QueuedWrite(_statement(query), missing, translate)
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
        await self.connection.execute(f"{self._begin_statement}; {statement}")

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
            await self.connection.execute(self._begin_statement)

    async def _send_queued(self) -> None:
        if self._queued:
            queued, self._queued = tuple(self._queued), []
            await self._run(queued)

    async def _run(
        self, writes: tuple[_QueuedWrite, ...], *, notify: str | None = None, alone: bool = False,
    ) -> None:
        if not alone:
            await self._begin()
        if len(writes) == 1 and writes[0].missing is None and notify is None:
            sql, args = writes[0].statement.sql, list(writes[0].statement.args)
        else:
            sql, args = _combined(writes, notify)
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
