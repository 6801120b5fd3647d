"""Handing a connection back never raises: the unit of work relies on it to report an outage
as StorageUnavailable rather than as whatever the driver says about a dead connection."""

from __future__ import annotations

import asyncpg

from adapters.piccolo.database import PiccoloDatabase


class ReclaimedByThePool:
    """A pooled connection the pool already took back when the server cut it: asyncpg then
    refuses every call on it."""

    def __getattr__(self, name: str) -> object:
        def refuse(*args: object, **kwargs: object) -> None:
            raise asyncpg.InterfaceError(
                f"cannot call Connection.{name}(): connection has been released back to the pool")
        return refuse


async def test_releasing_a_connection_the_pool_already_reclaimed_does_not_raise() -> None:
    database = PiccoloDatabase("postgresql://nobody@127.0.0.1:1/none", pool_min=0, pool_max=1,
                               statement_timeout_ms=1000, lock_timeout_ms=1000)
    await database.release(ReclaimedByThePool())  # type: ignore[arg-type]
