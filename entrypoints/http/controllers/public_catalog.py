from __future__ import annotations

from litestar import Controller, get
from litestar.di import NamedDependency
from litestar.params import FromPath

from application.queries.catalog import CatalogQueries
from entrypoints.http.schemas import PackageRead


class CatalogController(Controller):
    path = "/v1/packages"
    tags = ["catalog"]

    @get("/", operation_id="listPackages", summary="Active packages with their add-ons")
    async def list_packages(self, catalog: NamedDependency[CatalogQueries]) -> list[PackageRead]:
        return [PackageRead.of(p) for p in await catalog.active_packages()]

    @get("/{slug:str}", operation_id="getPackage", summary="One active package by slug")
    async def get_package(self, catalog: NamedDependency[CatalogQueries], slug: FromPath[str]) -> PackageRead:
        return PackageRead.of(await catalog.active_package(slug))
