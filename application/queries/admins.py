"""Who the admins are, as the admin guard asks on every admin request."""

from __future__ import annotations

from application.ports.unit_of_work import UnitOfWorkFactory
from domain.admin_user import AdminUser


class AdminQueries:
    def __init__(self, uow: UnitOfWorkFactory) -> None:
        self._uow = uow

    async def by_id(self, admin_id: str) -> AdminUser | None:
        """The admin with this id as it is now (its current password hash), or None once it
        has been deleted. One read by primary key, no cache: a cached admin would let a
        revoked token in for as long as the cache kept it."""
        async with self._uow() as tx:
            return await tx.admin_users.by_id(admin_id)
