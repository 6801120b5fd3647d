"""The public catalog."""

from __future__ import annotations

from application.cached_read import CachedRead
from application.ports.unit_of_work import UnitOfWorkFactory
from domain.catalog import Package
from domain.errors import NotFound


class CatalogQueries:
    def __init__(
        self, uow: UnitOfWorkFactory, cache: CachedRead[tuple[Package, ...]] | None = None,
    ) -> None:
        """With `cache`, both reads are answered from one kept list of the active packages
        (the list is read whole anyway); without, each reads the database."""
        self._uow = uow
        self._cache = cache

    async def active_packages(self) -> list[Package]:
        if self._cache is not None:
            return list(await self._cache.get(self._read_active))
        async with self._uow() as tx:
            return await tx.packages.list_active()

    async def active_package(self, slug: str) -> Package:
        """The package on sale under `slug`, or `NotFound`."""
        if self._cache is not None:
            package = next((p for p in await self._cache.get(self._read_active)
                            if p.slug == slug), None)
        else:
            async with self._uow() as tx:
                package = await tx.packages.get_by_slug(slug)
        if package is None or not package.active:
            raise NotFound(f"no package '{slug}'")
        return package

    async def _read_active(self) -> tuple[Package, ...]:
        async with self._uow() as tx:
            return tuple(await tx.packages.list_active())
