from __future__ import annotations

from typing import Protocol


class PasswordHasher(Protocol):
    """Admin password hashing. Slow on purpose (argon2): an implementation keeps that work off
    the event loop, and bounds how much of it runs at once, so logins cannot stall requests."""

    async def hash(self, password: str) -> str: ...

    async def verify(self, password_hash: str | None, password: str) -> bool:
        """False for a wrong password or an unreadable hash; never raises for those. With no
        hash (an unknown email) it costs what a real check costs, and is False, so the answer
        time does not reveal which emails exist."""
