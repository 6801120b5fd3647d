"""Run Piccolo queries on one explicit connection.

Piccolo runs a query through the engine its table is bound to, inside a transaction only if
that engine's context says so. A unit of work here owns its connection and its transaction
instead, so queries are built with Piccolo and executed on that connection - no statement can
slip outside the transaction it belongs to.
"""

from __future__ import annotations

from typing import Any, TypeAlias

import asyncpg
from asyncpg.pool import PoolConnectionProxy
from piccolo.query.base import Query

# What a unit of work hands its repositories: a connection borrowed from the pool.
# (Subscripted only for the type checker: asyncpg's runtime class is not generic.)
Connection: TypeAlias = "PoolConnectionProxy[asyncpg.Record]"


def _compiled(query: Query[Any, Any]) -> tuple[str, list[Any]]:
    (querystring,) = query.querystrings
    sql, args = querystring.compile_string(engine_type="postgres")
    return sql, list(args)


async def fetch(connection: Connection, query: Query[Any, Any]) -> list[dict[str, Any]]:
    sql, args = _compiled(query)
    return [dict(row) for row in await connection.fetch(sql, *args)]


async def execute(connection: Connection, query: Query[Any, Any]) -> None:
    sql, args = _compiled(query)
    await connection.execute(sql, *args)
