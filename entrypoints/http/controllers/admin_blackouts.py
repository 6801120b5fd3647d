from __future__ import annotations

from typing import Any

from litestar import Controller, Request, delete, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody

from application.commands import AddBlackout, RemoveBlackout
from entrypoints.bootstrap import Elope
from entrypoints.http.request_context import request_id_of
from entrypoints.http.schemas import BlackoutCreate, BlackoutRead


class AdminBlackoutsController(Controller):
    path = "/v1/admin/blackouts"
    tags = ["admin"]

    @get("/", operation_id="adminListBlackouts", summary="Dates not for sale")
    async def list_blackouts(self, elope: NamedDependency[Elope]) -> list[BlackoutRead]:
        async with elope.uow() as tx:
            return [BlackoutRead.of(b) for b in await tx.blackouts.list_all()]

    @post("/", operation_id="adminAddBlackout", summary="Take a date off sale")
    async def add(
        self,
        elope: NamedDependency[Elope],
        data: JSONBody[BlackoutCreate],
        request: Request[Any, Any, Any],
    ) -> BlackoutRead:
        blackout = await elope.bus.handle(
            AddBlackout(date=data.date, reason=data.reason, correlation_id=request_id_of(request))
        )
        return BlackoutRead.of(blackout)

    @delete("/{blackout_id:str}", operation_id="adminRemoveBlackout", summary="Put a date back on sale")
    async def remove(
        self,
        elope: NamedDependency[Elope],
        blackout_id: FromPath[str],
        request: Request[Any, Any, Any],
    ) -> None:
        await elope.bus.handle(RemoveBlackout(blackout_id=blackout_id, correlation_id=request_id_of(request)))
