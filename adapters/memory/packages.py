"""Packages and add-ons. `add` and `update` write the package itself; its add-ons change
only through the add-on methods, so a revision read earlier cannot overwrite them."""

from __future__ import annotations

import dataclasses

from adapters.memory.storable import check_columns
from adapters.memory.store import MemoryStore
from domain.catalog import AddOn, Package
from domain.errors import Conflict, NotFound, StaleVersion


class MemoryPackageRepository:
    def __init__(self, store: MemoryStore) -> None:
        self._store = store

    async def list_active(self) -> list[Package]:
        active = [p for p in self._store.packages.values() if p.active]
        active.sort(key=lambda p: (p.title, p.id))
        return [self._with_add_ons(p) for p in active]

    async def get(self, package_id: str) -> Package | None:
        stored = self._store.packages.get(package_id)
        return self._with_add_ons(stored) if stored else None

    async def get_by_slug(self, slug: str) -> Package | None:
        for package in self._store.packages.values():
            if package.slug == slug:
                return self._with_add_ons(package)
        return None

    async def add(self, package: Package) -> None:
        _check_package(package)
        if package.id in self._store.packages:
            raise Conflict(f"package {package.id} already exists")
        self._check_slug_free(package)
        self._store.packages[package.id] = dataclasses.replace(package, add_ons=())

    async def update(self, package: Package) -> None:
        _check_package(package)
        stored = self._store.packages.get(package.id)
        if stored is None:
            raise NotFound(f"no package '{package.id}'")
        if stored.version != package.version - 1:
            raise StaleVersion(f"package {stored.slug}")
        self._check_slug_free(package)
        self._store.packages[package.id] = dataclasses.replace(package, add_ons=())

    async def remove(self, package_id: str) -> None:
        # The bookings' foreign key: a sold package stays, to be deactivated instead.
        if any(b.package_id == package_id for b in self._store.bookings.values()):
            raise Conflict(f"package {package_id} has bookings; deactivate it instead")
        self._store.packages.pop(package_id, None)
        for add_on in [a for a in self._store.add_ons.values() if a.package_id == package_id]:
            del self._store.add_ons[add_on.id]

    async def get_add_on(self, add_on_id: str) -> AddOn | None:
        return self._store.add_ons.get(add_on_id)

    async def add_add_on(self, add_on: AddOn) -> None:
        _check_add_on(add_on)
        if add_on.id in self._store.add_ons:
            raise Conflict(f"add-on {add_on.id} already exists")
        self._check_package_exists(add_on)
        self._store.add_ons[add_on.id] = add_on

    async def update_add_on(self, add_on: AddOn) -> None:
        _check_add_on(add_on)
        stored = self._store.add_ons.get(add_on.id)
        if stored is None:
            raise NotFound(f"no add-on '{add_on.id}'")
        # An add-on never changes package (PostgreSQL's update leaves package_id alone).
        self._store.add_ons[add_on.id] = dataclasses.replace(  # same key: keeps its place
            add_on, package_id=stored.package_id)

    async def remove_add_on(self, add_on_id: str) -> None:
        self._store.add_ons.pop(add_on_id, None)

    def _with_add_ons(self, package: Package) -> Package:
        add_ons = tuple(a for a in self._store.add_ons.values() if a.package_id == package.id)
        return dataclasses.replace(package, add_ons=add_ons)

    def _check_slug_free(self, package: Package) -> None:
        for other in self._store.packages.values():
            if other.slug == package.slug and other.id != package.id:
                raise Conflict(f"slug '{package.slug}' is already taken")

    def _check_package_exists(self, add_on: AddOn) -> None:
        if add_on.package_id not in self._store.packages:
            raise NotFound(f"no package '{add_on.package_id}'")


def _check_package(p: Package) -> None:
    check_columns("package", id=(p.id, 64), slug=(p.slug, 100), title=(p.title, 200),
                  description=(p.description, None), photo_url=(p.photo_url, None))


def _check_add_on(a: AddOn) -> None:
    check_columns("add_on", id=(a.id, 64), package_id=(a.package_id, 64), title=(a.title, 200),
                  description=(a.description, None), photo_url=(a.photo_url, None))
