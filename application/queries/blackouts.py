"""The dates not for sale, as the admin sees them."""

from __future__ import annotations

from application.ports.unit_of_work import UnitOfWorkFactory
from domain.blackout import Blackout


class BlackoutQueries:
    def __init__(self, uow: UnitOfWorkFactory) -> None:
        self._uow = uow

    async def all(self) -> list[Blackout]:
        """Every blackout, by date."""
        async with self._uow() as tx:
            return await tx.blackouts.list_all()
