from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, get
from litestar.di import NamedDependency

from entrypoints.bootstrap import Elope
from entrypoints.http.errors import error_response
from entrypoints.http.schemas import HealthRead


class HealthController(Controller):
    path = "/health"
    tags = ["operations"]

    @get("/live", operation_id="live", summary="The process answers")
    async def live(self) -> HealthRead:
        return HealthRead("ok")

    @get(
        "/ready",
        operation_id="ready",
        summary="The process can reach its database",
    )
    async def ready(self, elope: NamedDependency[Elope], request: Request[Any, Any, Any]) -> Response[Any]:
        probe = elope.adapters.get("readiness")
        if probe is not None and not await probe():
            return error_response(request, 503, "SERVICE_UNAVAILABLE", "the database does not answer")
        return Response(HealthRead("ok"), status_code=200)
