"""The public catalog."""

from __future__ import annotations

from application.ports.unit_of_work import UnitOfWorkFactory
from domain.catalog import Package
from domain.errors import NotFound


async def active_packages(uow: UnitOfWorkFactory) -> list[Package]:
    async with uow() as tx:
        return await tx.packages.list_active()


async def active_package(uow: UnitOfWorkFactory, slug: str) -> Package:
    async with uow() as tx:
        package = await tx.packages.get_by_slug(slug)
    if package is None or not package.active:
        raise NotFound(f"no package '{slug}'")
    return package
