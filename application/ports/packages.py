from __future__ import annotations

from typing import Protocol

from domain.catalog import AddOn, Package


class PackageRepository(Protocol):
    """Packages with their add-ons. `version` guards every update (optimistic locking)."""

    async def list_active(self) -> list[Package]:
        """Active packages, each with all its add-ons, in a stable order (title, id)."""

    async def get(self, package_id: str) -> Package | None: ...

    async def get_by_slug(self, slug: str) -> Package | None: ...

    async def add(self, package: Package) -> None:
        """Raises `Conflict` when the slug is taken."""

    async def update(self, package: Package) -> None:
        """Store a revision whose `version` is one more than the stored one.

        Raises `StaleVersion` when the stored version moved on meanwhile, `Conflict` when the
        new slug is taken by another package.
        """

    async def remove(self, package_id: str) -> None:
        """Delete a package and its add-ons. Raises `Conflict` while a booking references it."""

    async def get_add_on(self, add_on_id: str) -> AddOn | None: ...

    async def add_add_on(self, add_on: AddOn) -> None: ...

    async def update_add_on(self, add_on: AddOn) -> None: ...

    async def remove_add_on(self, add_on_id: str) -> None: ...
