from __future__ import annotations

from litestar import Controller, delete, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody

from application.commands import AddBlackout, RemoveBlackout
from application.messaging.bus import MessageBus
from application.queries.blackouts import BlackoutQueries
from entrypoints.http.schemas import BlackoutCreate, BlackoutRead


class AdminBlackoutsController(Controller):
    path = "/v1/admin/blackouts"
    tags = ["admin"]

    @get("/", operation_id="adminListBlackouts", summary="Dates not for sale")
    async def list_blackouts(self, blackouts: NamedDependency[BlackoutQueries]) -> list[BlackoutRead]:
        return [BlackoutRead.of(b) for b in await blackouts.all()]

    @post("/", operation_id="adminAddBlackout", summary="Take a date off sale")
    async def add(
        self,
        bus: NamedDependency[MessageBus],
        correlation_id: NamedDependency[str],
        data: JSONBody[BlackoutCreate],
    ) -> BlackoutRead:
        blackout = await bus.handle(
            AddBlackout(date=data.date, reason=data.reason, correlation_id=correlation_id)
        )
        return BlackoutRead.of(blackout)

    @delete("/{blackout_id:str}", operation_id="adminRemoveBlackout", summary="Put a date back on sale")
    async def remove(
        self,
        bus: NamedDependency[MessageBus],
        correlation_id: NamedDependency[str],
        blackout_id: FromPath[str],
    ) -> None:
        await bus.handle(RemoveBlackout(blackout_id=blackout_id, correlation_id=correlation_id))
