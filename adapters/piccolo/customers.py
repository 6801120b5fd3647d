"""Customers on PostgreSQL, one per email."""

from __future__ import annotations

from adapters.piccolo.statements import Connection
from domain.customer import Customer


class PiccoloCustomerRepository:
    def __init__(self, connection: Connection) -> None:
        self._db = connection

    async def upsert(self, email: str, name: str, phone: str | None, new_id: str) -> Customer:
        row = await self._db.fetchrow(
            """INSERT INTO customer (id, email, name, phone) VALUES ($1, $2, $3, $4)
               ON CONFLICT (email) DO UPDATE SET name = EXCLUDED.name, phone = EXCLUDED.phone
               RETURNING id, email, name, phone""", new_id, email, name, phone)
        assert row is not None
        return Customer(row["id"], row["email"], row["name"], row["phone"])

