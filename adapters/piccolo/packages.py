"""Packages and add-ons on PostgreSQL."""

from __future__ import annotations

import json
from typing import Any

import asyncpg
from piccolo.query.functions import Coalesce
from piccolo.query.methods.select import Select
from piccolo.querystring import QueryString

from adapters.piccolo.prepared import Prepared
from adapters.piccolo.statements import Connection, execute, fetch, subquery
from adapters.piccolo.tables import AddOnRow, PackageRow
from domain.catalog import AddOn, Package
from domain.errors import Conflict, NotFound, StaleVersion
from domain.money import Money


def _add_on(row: dict[str, Any]) -> AddOn:
    return AddOn(id=row["id"], package_id=row["package_id"], title=row["title"],
                 description=row["description"], price=Money(row["price_cents"]),
                 photo_url=row["photo_url"], active=row["active"])


def package_of(row: dict[str, Any]) -> Package:
    add_ons = json.loads(row["add_ons"]) if isinstance(row["add_ons"], str) else row["add_ons"]
    return Package(
        id=row["id"], slug=row["slug"], title=row["title"], description=row["description"],
        price=Money(row["price_cents"]), photo_url=row["photo_url"], active=row["active"],
        version=row["version"],
        add_ons=tuple(AddOn(id=a[0], package_id=row["id"], title=a[1], description=a[2],
                            price=Money(a[3]), photo_url=a[4], active=a[5]) for a in add_ons),
    )


_PACKAGE_COLUMNS = (PackageRow.id, PackageRow.slug, PackageRow.title, PackageRow.description,
                    PackageRow.price_cents, PackageRow.photo_url, PackageRow.active,
                    PackageRow.version)
# COLLATE "C": the same order as Python's string order (the memory set), whatever locale the
# database was created with. Raw: Piccolo's order_by has no COLLATE.
_IN_PYTHON_ORDER = (QueryString('{} COLLATE "C"', PackageRow.title),
                    QueryString('{} COLLATE "C"', PackageRow.id))
_ADD_ON_COLUMNS = (AddOnRow.id, AddOnRow.package_id, AddOnRow.title, AddOnRow.description,
                   AddOnRow.price_cents, AddOnRow.photo_url, AddOnRow.active)
# Raw: Piccolo has no json_agg (an aggregate with its own ORDER BY). Each package comes with
# its add-ons, in the order they were added, in the package's own statement.
_ADD_ONS_JSON = QueryString(
    "json_agg(json_build_array({}, {}, {}, {}, {}, {}) ORDER BY {})", AddOnRow.id,
    AddOnRow.title, AddOnRow.description, AddOnRow.price_cents, AddOnRow.photo_url,
    AddOnRow.active, AddOnRow.created_seq)


def select_packages() -> Select[Any]:
    add_ons = AddOnRow.select(_ADD_ONS_JSON).where(AddOnRow.package_id == PackageRow.id)
    return PackageRow.select(*_PACKAGE_COLUMNS, Coalesce(subquery(add_ons), "[]", alias="add_ons"))


_GET = Prepared(lambda package_id: select_packages().where(PackageRow.id == package_id))
_GET_BY_SLUG = Prepared(lambda slug: select_packages().where(PackageRow.slug == slug))
_LIST_ACTIVE = Prepared(lambda: select_packages().where(PackageRow.active.eq(True)).order_by(
    *_IN_PYTHON_ORDER))


class PiccoloPackageRepository:
    def __init__(self, connection: Connection) -> None:
        self._connection = connection

    async def list_active(self) -> list[Package]:
        rows = await fetch(self._connection, _LIST_ACTIVE())
        return [package_of(r) for r in rows]

    async def get(self, package_id: str) -> Package | None:
        rows = await fetch(self._connection, _GET(package_id))
        return package_of(rows[0]) if rows else None

    async def get_by_slug(self, slug: str) -> Package | None:
        rows = await fetch(self._connection, _GET_BY_SLUG(slug))
        return package_of(rows[0]) if rows else None

    async def add(self, package: Package) -> None:
        try:
            await execute(self._connection, PackageRow.insert(PackageRow(
                id=package.id, slug=package.slug, title=package.title,
                description=package.description, price_cents=package.price.cents,
                photo_url=package.photo_url, active=package.active, version=package.version,
            )))
        except asyncpg.UniqueViolationError as exc:
            raise Conflict(_taken(exc, package.slug)) from exc

    async def update(self, package: Package) -> None:
        try:
            updated = await fetch(self._connection, PackageRow.update({
                PackageRow.slug: package.slug, PackageRow.title: package.title,
                PackageRow.description: package.description,
                PackageRow.price_cents: package.price.cents,
                PackageRow.photo_url: package.photo_url, PackageRow.active: package.active,
                PackageRow.version: package.version,
            }).where(
                (PackageRow.id == package.id) & (PackageRow.version == package.version - 1)
            ).returning(PackageRow.id))
        except asyncpg.UniqueViolationError as exc:
            raise Conflict(_taken(exc, package.slug)) from exc
        if not updated:
            if not await fetch(self._connection, PackageRow.select(PackageRow.id).where(
                    PackageRow.id == package.id)):
                raise NotFound(f"no package '{package.id}'")
            raise StaleVersion(f"package {package.slug}")

    async def remove(self, package_id: str) -> None:
        try:
            await execute(self._connection, PackageRow.delete().where(PackageRow.id == package_id))
        except asyncpg.ForeignKeyViolationError as exc:  # the bookings' foreign key
            raise Conflict("bookings reference this package; retire it with `active: false`"
                           ) from exc

    async def get_add_on(self, add_on_id: str) -> AddOn | None:
        rows = await fetch(self._connection, AddOnRow.select(*_ADD_ON_COLUMNS).where(
            AddOnRow.id == add_on_id))
        return _add_on(rows[0]) if rows else None

    async def add_add_on(self, add_on: AddOn) -> None:
        try:
            await execute(self._connection, AddOnRow.insert(AddOnRow(
                id=add_on.id, package_id=add_on.package_id, title=add_on.title,
                description=add_on.description, price_cents=add_on.price.cents,
                photo_url=add_on.photo_url, active=add_on.active,
            )))
        except asyncpg.ForeignKeyViolationError as exc:
            raise NotFound(f"no package '{add_on.package_id}'") from exc
        except asyncpg.UniqueViolationError as exc:
            raise Conflict(f"add-on {add_on.id} already exists") from exc

    async def update_add_on(self, add_on: AddOn) -> None:
        updated = await fetch(self._connection, AddOnRow.update({
            AddOnRow.title: add_on.title, AddOnRow.description: add_on.description,
            AddOnRow.price_cents: add_on.price.cents, AddOnRow.photo_url: add_on.photo_url,
            AddOnRow.active: add_on.active,
        }).where(AddOnRow.id == add_on.id).returning(AddOnRow.id))
        if not updated:
            raise NotFound(f"no add-on '{add_on.id}'")

    async def remove_add_on(self, add_on_id: str) -> None:
        await execute(self._connection, AddOnRow.delete().where(AddOnRow.id == add_on_id))


def _taken(exc: asyncpg.UniqueViolationError, slug: str) -> str:
    if "slug" in (exc.constraint_name or ""):
        return f"the slug '{slug}' is taken"
    return "this package already exists"
