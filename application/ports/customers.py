from __future__ import annotations

from typing import Protocol

from domain.customer import Customer


class CustomerRepository(Protocol):
    """Couples, one per email."""

    async def upsert(self, email: str, name: str, phone: str | None, new_id: str) -> Customer:
        """Insert by email, or update name and phone of the existing customer."""
