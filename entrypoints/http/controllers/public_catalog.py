from __future__ import annotations

from litestar import Controller, get
from litestar.di import NamedDependency
from litestar.params import FromPath

from application.queries.catalog import active_package, active_packages
from entrypoints.bootstrap import Elope
from entrypoints.http.schemas import PackageRead


class CatalogController(Controller):
    path = "/v1/packages"
    tags = ["catalog"]

    @get("/", operation_id="listPackages", summary="Active packages with their add-ons")
    async def list_packages(self, elope: NamedDependency[Elope]) -> list[PackageRead]:
        return [PackageRead.of(p) for p in await active_packages(elope.uow)]

    @get("/{slug:str}", operation_id="getPackage", summary="One active package by slug")
    async def get_package(self, elope: NamedDependency[Elope], slug: FromPath[str]) -> PackageRead:
        return PackageRead.of(await active_package(elope.uow, slug))
