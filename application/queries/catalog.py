"""The public catalog."""

from __future__ import annotations

from application.ports.unit_of_work import UnitOfWorkFactory
from domain.catalog import Package
from domain.errors import NotFound


class CatalogQueries:
    def __init__(self, uow: UnitOfWorkFactory) -> None:
        self._uow = uow

    async def active_packages(self) -> list[Package]:
        async with self._uow() as tx:
            return await tx.packages.list_active()

    async def active_package(self, slug: str) -> Package:
        """The package on sale under `slug`, or `NotFound`."""
        async with self._uow() as tx:
            package = await tx.packages.get_by_slug(slug)
        if package is None or not package.active:
            raise NotFound(f"no package '{slug}'")
        return package
