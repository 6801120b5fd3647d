from __future__ import annotations

from typing import Protocol

from domain.admin_user import AdminUser


class AdminUserRepository(Protocol):
    async def by_email(self, email: str) -> AdminUser | None: ...

    async def by_id(self, admin_id: str) -> AdminUser | None:
        """The admin a token names, or None once it is gone (its tokens then die with it)."""

    async def upsert(self, user: AdminUser) -> None:
        """Create the admin, or replace the password of the one with this email."""
