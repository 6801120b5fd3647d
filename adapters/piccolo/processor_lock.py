"""This process's liveness, as PostgreSQL sees it: a session advisory lock held on the
listener's own connection. A process that crashes, stops or loses the database loses the lock
with its connection, so another process can tell at once that its claims bind nobody.

Each (re)connect takes a fresh name: a claim made before a lost connection may have been
abandoned mid-way (its work failed with the database) and must not look alive again."""

from __future__ import annotations

import random

import asyncpg

# The two-key form of advisory locks: its key space is apart from the one-key form's, which
# the date locks use, so a processor's lock never blocks a date.
PROCESSOR_LOCK_CLASS = 0x454C4F50  # "ELOP"
_PREFIX = "pg:"


class ProcessorLock:
    """`Processors` on PostgreSQL; `take` and `lost` are the listener's connect hooks."""

    def __init__(self) -> None:
        self._name: str | None = None

    def current(self) -> str | None:
        return self._name

    async def take(self, connection: asyncpg.Connection) -> None:
        key = random.randint(-(2 ** 31), 2 ** 31 - 1)
        await connection.execute("SELECT pg_advisory_lock($1, $2)", PROCESSOR_LOCK_CLASS, key)
        self._name = f"{_PREFIX}{key}"

    def lost(self) -> None:
        self._name = None


def processor_key(claimant: str) -> int | None:
    """The lock key a claimant name stands for; None for a name not made here."""
    if not claimant.startswith(_PREFIX):
        return None
    try:
        key = int(claimant.removeprefix(_PREFIX))
    except ValueError:
        return None
    return key if -(2 ** 31) <= key < 2 ** 31 else None
