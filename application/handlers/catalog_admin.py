"""Catalog commands: packages and add-ons."""

from __future__ import annotations

from dataclasses import replace

from application.commands import (
    AddAddOn,
    CreatePackage,
    RemoveAddOn,
    RemovePackage,
    ReviseAddOn,
    RevisePackage,
)
from application.ids import new_id
from application.ports.clock import Clock
from application.ports.unit_of_work import UnitOfWorkFactory
from domain.catalog import AddOn, Package
from domain.errors import Conflict, NotFound


async def create_package(
    command: CreatePackage, *, uow: UnitOfWorkFactory, photo_schemes: frozenset[str],
) -> Package:
    package = Package.create(new_id("pkg"), command.slug, command.title, command.description,
                             command.price_cents, command.photo_url, photo_schemes)
    async with uow() as tx:
        await tx.packages.add(package)  # a taken slug is a Conflict
        await tx.commit()
    return package


async def revise_package(
    command: RevisePackage, *, uow: UnitOfWorkFactory, photo_schemes: frozenset[str],
) -> Package:
    """Apply an edit made to `version`; an edit of an older version is a StaleVersion."""
    async with uow() as tx:
        current = await tx.packages.get(command.package_id)
        if current is None:
            raise NotFound(f"no package '{command.package_id}'")
        revised = current.revise(
            expected_version=command.version, slug=command.slug, title=command.title,
            description=command.description, price_cents=command.price_cents,
            photo_url=command.photo_url, active=command.active, photo_schemes=photo_schemes,
        )
        await tx.packages.update(revised)
        await tx.commit()
    return revised


async def remove_package(
    command: RemovePackage, *, uow: UnitOfWorkFactory, clock: Clock,
) -> None:
    """Delete a package nobody booked and nobody is paying for right now; one with bookings
    is retired with `active: false` instead."""
    async with uow() as tx:
        if await tx.packages.get(command.package_id) is None:
            raise NotFound(f"no package '{command.package_id}'")
        if await tx.bookings.references_package(command.package_id):
            raise Conflict("bookings reference this package; retire it with `active: false`")
        if await tx.holds.any_active_for_package(command.package_id, clock.now()):
            raise Conflict("a couple is paying for this package right now; retire it with"
                           " `active: false` instead")
        await tx.packages.remove(command.package_id)
        await tx.commit()


async def add_add_on(
    command: AddAddOn, *, uow: UnitOfWorkFactory, photo_schemes: frozenset[str],
) -> AddOn:
    add_on = AddOn.create(new_id("addon"), command.package_id, command.title,
                          command.description, command.price_cents, command.photo_url,
                          photo_schemes)
    async with uow() as tx:
        if await tx.packages.get(command.package_id) is None:
            raise NotFound(f"no package '{command.package_id}'")
        await tx.packages.add_add_on(add_on)
        await tx.commit()
    return add_on


async def revise_add_on(
    command: ReviseAddOn, *, uow: UnitOfWorkFactory, photo_schemes: frozenset[str],
) -> AddOn:
    async with uow() as tx:
        current = await tx.packages.get_add_on(command.add_on_id)
        if current is None:
            raise NotFound(f"no add-on '{command.add_on_id}'")
        fresh = AddOn.create(current.id, current.package_id, command.title, command.description,
                             command.price_cents, command.photo_url, photo_schemes)
        revised = replace(fresh, active=command.active)
        await tx.packages.update_add_on(revised)
        await tx.commit()
    return revised


async def remove_add_on(command: RemoveAddOn, *, uow: UnitOfWorkFactory) -> None:
    async with uow() as tx:
        if await tx.packages.get_add_on(command.add_on_id) is None:
            raise NotFound(f"no add-on '{command.add_on_id}'")
        await tx.packages.remove_add_on(command.add_on_id)
        await tx.commit()
