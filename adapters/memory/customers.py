"""Customers, one per email (the database's unique index)."""

from __future__ import annotations

from adapters.memory.storable import check_columns
from adapters.memory.store import MemoryStore
from domain.customer import Customer


class MemoryCustomerRepository:
    def __init__(self, store: MemoryStore) -> None:
        self._store = store

    async def upsert(self, email: str, name: str, phone: str | None, new_id: str) -> Customer:
        check_columns("customer", id=(new_id, 64), email=(email, 254), name=(name, 200),
                      phone=(phone, 40))
        existing = self._store.customers.get(email)
        customer = Customer(existing.id if existing else new_id, email, name, phone)
        self._store.customers[email] = customer
        return customer
