from __future__ import annotations

from litestar import Controller, delete, post, put
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody

from application import commands as c
from application.messaging.bus import MessageBus
from entrypoints.http.schemas import (
    AddOnRead,
    AddOnWrite,
    PackageCreate,
    PackageRead,
    PackageUpdate,
)


class AdminCatalogController(Controller):
    path = "/v1/admin"
    tags = ["admin"]

    @post("/packages", operation_id="adminCreatePackage", summary="Create a package")
    async def create_package(
        self,
        bus: NamedDependency[MessageBus],
        correlation_id: NamedDependency[str],
        data: JSONBody[PackageCreate],
    ) -> PackageRead:
        package = await bus.handle(
            c.CreatePackage(
                slug=data.slug,
                title=data.title,
                description=data.description,
                price_cents=data.price_cents,
                photo_url=data.photo_url,
                correlation_id=correlation_id,
            )
        )
        return PackageRead.of(package)

    @put(
        "/packages/{package_id:str}",
        operation_id="adminUpdatePackage",
        summary="Update a package; `version` must be the one you read",
    )
    async def update_package(
        self,
        bus: NamedDependency[MessageBus],
        correlation_id: NamedDependency[str],
        package_id: FromPath[str],
        data: JSONBody[PackageUpdate],
    ) -> PackageRead:
        package = await bus.handle(
            c.RevisePackage(
                package_id=package_id,
                version=data.version,
                slug=data.slug,
                title=data.title,
                description=data.description,
                price_cents=data.price_cents,
                photo_url=data.photo_url,
                active=data.active,
                correlation_id=correlation_id,
            )
        )
        return PackageRead.of(package)

    @delete(
        "/packages/{package_id:str}",
        operation_id="adminDeletePackage",
        summary="Delete a package nobody has booked",
    )
    async def delete_package(
        self,
        bus: NamedDependency[MessageBus],
        correlation_id: NamedDependency[str],
        package_id: FromPath[str],
    ) -> None:
        await bus.handle(c.RemovePackage(package_id=package_id, correlation_id=correlation_id))

    @post(
        "/packages/{package_id:str}/add-ons",
        operation_id="adminCreateAddOn",
        summary="Add an add-on to a package",
    )
    async def create_add_on(
        self,
        bus: NamedDependency[MessageBus],
        correlation_id: NamedDependency[str],
        package_id: FromPath[str],
        data: JSONBody[AddOnWrite],
    ) -> AddOnRead:
        add_on = await bus.handle(
            c.AddAddOn(
                package_id=package_id,
                title=data.title,
                description=data.description,
                price_cents=data.price_cents,
                photo_url=data.photo_url,
                correlation_id=correlation_id,
            )
        )
        return AddOnRead.of(add_on)

    @put("/add-ons/{add_on_id:str}", operation_id="adminUpdateAddOn", summary="Update an add-on")
    async def update_add_on(
        self,
        bus: NamedDependency[MessageBus],
        correlation_id: NamedDependency[str],
        add_on_id: FromPath[str],
        data: JSONBody[AddOnWrite],
    ) -> AddOnRead:
        add_on = await bus.handle(
            c.ReviseAddOn(
                add_on_id=add_on_id,
                title=data.title,
                description=data.description,
                price_cents=data.price_cents,
                photo_url=data.photo_url,
                active=data.active,
                correlation_id=correlation_id,
            )
        )
        return AddOnRead.of(add_on)

    @delete("/add-ons/{add_on_id:str}", operation_id="adminDeleteAddOn", summary="Delete an add-on")
    async def delete_add_on(
        self,
        bus: NamedDependency[MessageBus],
        correlation_id: NamedDependency[str],
        add_on_id: FromPath[str],
    ) -> None:
        await bus.handle(c.RemoveAddOn(add_on_id=add_on_id, correlation_id=correlation_id))
