"""Handing a connection back never raises: the unit of work relies on it to report an outage
as StorageUnavailable rather than as whatever the driver says about a dead connection."""

from __future__ import annotations

from types import SimpleNamespace

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
    # Built bare: a real one would bind every Piccolo table of this process to its engine.
    database = PiccoloDatabase.__new__(PiccoloDatabase)
    database.engine = SimpleNamespace(pool=None)  # type: ignore[assignment]
    await database.release(ReclaimedByThePool())  # type: ignore[arg-type]
