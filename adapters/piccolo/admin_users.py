"""Admin users on PostgreSQL, found by email whatever its case."""

from __future__ import annotations

from adapters.piccolo.statements import Connection
from domain.admin_user import AdminUser


class PiccoloAdminUserRepository:
    def __init__(self, connection: Connection) -> None:
        self._db = connection

    async def by_email(self, email: str) -> AdminUser | None:
        row = await self._db.fetchrow(
            "SELECT id, email, password_hash FROM admin_user WHERE lower(email) = lower($1)",
            email)
        return AdminUser(row["id"], row["email"], row["password_hash"]) if row else None

    async def upsert(self, user: AdminUser) -> None:
        # "The admin with this email" is found case-insensitively, as by_email finds it; the
        # unique index on email is case-sensitive, so ON CONFLICT alone would add a second row
        # for "Admin@x" after "admin@x" (and by_email would then pick one of them at random).
        # ON CONFLICT stays for two first upserts of the same spelling racing each other.
        await self._db.execute(
            """WITH changed AS (
                   UPDATE admin_user SET password_hash = $3
                   WHERE lower(email) = lower($2) RETURNING id)
               INSERT INTO admin_user (id, email, password_hash)
               SELECT $1, $2, $3 WHERE NOT EXISTS (SELECT 1 FROM changed)
               ON CONFLICT (email) DO UPDATE SET password_hash = EXCLUDED.password_hash""",
            user.id, user.email, user.password_hash)
