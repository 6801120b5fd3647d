"""Admin users, found by email whatever its case."""

from __future__ import annotations

import dataclasses

from adapters.memory.store import MemoryStore
from domain.admin_user import AdminUser


class MemoryAdminUserRepository:
    def __init__(self, store: MemoryStore) -> None:
        self._store = store

    async def by_email(self, email: str) -> AdminUser | None:
        return self._store.admin_users.get(email.lower())

    async def by_id(self, admin_id: str) -> AdminUser | None:
        # A scan: a business has a handful of admins, and the store is keyed by email.
        return next((u for u in self._store.admin_users.values() if u.id == admin_id), None)

    async def upsert(self, user: AdminUser) -> None:
        key = user.email.lower()
        existing = self._store.admin_users.get(key)
        if existing is not None:
            user = dataclasses.replace(existing, password_hash=user.password_hash)
        self._store.admin_users[key] = user
