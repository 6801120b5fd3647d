"""Run Piccolo queries (or statements prepared from them) in a unit of work's transaction.

Piccolo runs a query through the engine its table is bound to, inside a transaction only if
that engine's context says so. A unit of work here owns its connection and its transaction
instead, so queries are built with Piccolo and executed through that transaction - no
statement can slip outside the transaction it belongs to.
"""

from __future__ import annotations

from typing import Any

from piccolo.query.methods.select import Select
from piccolo.querystring import QueryString

from adapters.piccolo.lazy_transaction import ErrorTranslation, LazyTransaction, Runnable

# What a unit of work hands its repositories.
Connection = LazyTransaction


async def fetch(connection: Connection, query: Runnable) -> list[dict[str, Any]]:
    return await connection.fetch(query)


async def execute(connection: Connection, query: Runnable) -> None:
    await connection.execute(query)


async def write(
    connection: Connection, query: Runnable, *, missing: str | None = None,
    translate: ErrorTranslation | None = None,
) -> None:
    """A write whose result nobody reads; inside the unit of work's `batch()` it is sent
    with the others at the batch's end (see LazyTransaction)."""
    await connection.write(query, missing=missing, translate=translate)


def subquery(query: Select[Any]) -> QueryString:
    """A Select as a value (Piccolo takes one as a subquery only in is_in/not_in)."""
    return QueryString("({})", query.querystrings[0])
