"""Admin users on PostgreSQL, found by email whatever its case."""

from __future__ import annotations

from typing import Any

from piccolo.query.functions import Lower

from adapters.piccolo.statements import Connection, execute, fetch
from adapters.piccolo.tables import AdminUserRow
from domain.admin_user import AdminUser


class PiccoloAdminUserRepository:
    def __init__(self, connection: Connection) -> None:
        self._connection = connection

    async def by_email(self, email: str) -> AdminUser | None:
        rows = await fetch(self._connection, AdminUserRow.select(
            AdminUserRow.id, AdminUserRow.email, AdminUserRow.password_hash,
        ).where(Lower(AdminUserRow.email) == Lower(email)).limit(1))
        return _admin(rows)

    async def by_id(self, admin_id: str) -> AdminUser | None:
        # The primary key: the admin guard asks this on every admin request.
        rows = await fetch(self._connection, AdminUserRow.select(
            AdminUserRow.id, AdminUserRow.email, AdminUserRow.password_hash,
        ).where(AdminUserRow.id == admin_id))
        return _admin(rows)

    async def upsert(self, user: AdminUser) -> None:
        # "The admin with this email" is found case-insensitively, as by_email finds it; the
        # unique index on email is case-sensitive, so ON CONFLICT alone would add a second row
        # for "Admin@x" after "admin@x" (and by_email would then pick one of them at random).
        # ON CONFLICT stays for two first upserts of the same spelling racing each other.
        # Raw: Piccolo has no WITH (a data-modifying CTE) nor INSERT ... SELECT, and one statement
        # it must stay - an UPDATE then an INSERT would be two round trips.
        await execute(self._connection, AdminUserRow.raw(
            """WITH changed AS (
                   UPDATE admin_user SET password_hash = {}
                   WHERE lower(email) = lower({}) RETURNING id)
               INSERT INTO admin_user (id, email, password_hash)
               SELECT {}, {}, {} WHERE NOT EXISTS (SELECT 1 FROM changed)
               ON CONFLICT (email) DO UPDATE SET password_hash = EXCLUDED.password_hash""",
            user.password_hash, user.email, user.id, user.email, user.password_hash))


def _admin(rows: list[dict[str, Any]]) -> AdminUser | None:
    return AdminUser(rows[0]["id"], rows[0]["email"], rows[0]["password_hash"]) if rows else None
