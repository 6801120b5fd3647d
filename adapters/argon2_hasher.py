"""Admin passwords hashed with argon2id (argon2-cffi's recommended parameters), in worker
threads: one check costs about 0.4 s of CPU, which on the event loop would stall every other
request for as long."""

from __future__ import annotations

import asyncio
import secrets

from argon2 import PasswordHasher as _Argon2
from argon2.exceptions import InvalidHashError, VerificationError


class Argon2Hasher:
    def __init__(self, max_concurrent: int = 2, argon2: _Argon2 | None = None) -> None:
        self._argon2 = argon2 or _Argon2()
        # More hashes at once than cores only queue inside the threads while holding memory
        # (64 MiB each); a burst of logins waits here instead, and webhooks keep their CPU.
        self._slots = asyncio.Semaphore(max_concurrent)
        # A real hash of a random secret, made on first need: checking an unknown email
        # against it costs what a real check costs.
        self._decoy: str | None = None

    async def hash(self, password: str) -> str:
        async with self._slots:
            return await asyncio.to_thread(self._argon2.hash, password)

    async def verify(self, password_hash: str | None, password: str) -> bool:
        if password_hash is None:
            if self._decoy is None:
                self._decoy = await self.hash(secrets.token_urlsafe(16))
            await self._check(self._decoy, password)
            return False
        return await self._check(password_hash, password)

    async def _check(self, password_hash: str, password: str) -> bool:
        async with self._slots:
            return await asyncio.to_thread(self._verify_in_thread, password_hash, password)

    def _verify_in_thread(self, password_hash: str, password: str) -> bool:
        try:
            return self._argon2.verify(password_hash, password)
        except (VerificationError, InvalidHashError):
            return False
