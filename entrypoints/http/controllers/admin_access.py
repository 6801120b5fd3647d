from __future__ import annotations

from litestar import Controller, post
from litestar.di import NamedDependency
from litestar.params import JSONBody

from application.commands import LogIn
from application.messaging.bus import MessageBus
from domain.admin_user import AdminUser
from entrypoints.http.admin_auth import AdminTokens
from entrypoints.http.schemas import LoginCreate, TokenRead


class AdminLoginController(Controller):
    path = "/v1/admin/login"
    tags = ["admin"]

    @post(
        "/",
        operation_id="adminLogin",
        status_code=200,
        summary="Exchange email and password for a bearer token",
    )
    async def login(
        self,
        bus: NamedDependency[MessageBus],
        tokens: NamedDependency[AdminTokens],
        correlation_id: NamedDependency[str],
        client: NamedDependency[str],
        data: JSONBody[LoginCreate],
    ) -> TokenRead:
        user: AdminUser = await bus.handle(
            LogIn(email=data.email, password=data.password, client=client,
                  correlation_id=correlation_id)
        )
        return TokenRead(tokens.issue(user))
