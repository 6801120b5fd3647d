from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from litestar import Controller, Request, Response, get
from litestar.di import NamedDependency

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
    async def ready(
        self,
        readiness: NamedDependency[Callable[[], Awaitable[bool]]],
        request: Request[Any, Any, Any],
    ) -> Response[Any]:
        if not await readiness():
            return error_response(request, 503, "SERVICE_UNAVAILABLE", "the database does not answer")
        return Response(HealthRead("ok"), status_code=200)
