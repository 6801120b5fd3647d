"""Customers on PostgreSQL, one per email."""

from __future__ import annotations

from adapters.piccolo.statements import Connection, fetch
from adapters.piccolo.tables import CustomerRow
from domain.customer import Customer


class PiccoloCustomerRepository:
    def __init__(self, connection: Connection) -> None:
        self._connection = connection

    async def upsert(self, email: str, name: str, phone: str | None, new_id: str) -> Customer:
        (row,) = await fetch(self._connection, CustomerRow.insert(
            CustomerRow(id=new_id, email=email, name=name, phone=phone),
        ).on_conflict(
            target=CustomerRow.email, action="DO UPDATE",
            values=[CustomerRow.name, CustomerRow.phone],
        ).returning(CustomerRow.id, CustomerRow.email, CustomerRow.name, CustomerRow.phone))
        return Customer(row["id"], row["email"], row["name"], row["phone"])
