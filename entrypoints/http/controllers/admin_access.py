from __future__ import annotations

from typing import Any

from litestar import Controller, Request, post
from litestar.di import NamedDependency
from litestar.params import JSONBody

from application.commands import LogIn
from domain.admin_user import AdminUser
from entrypoints.bootstrap import Elope
from entrypoints.http.admin_auth import issue_token
from entrypoints.http.request_context import client_of, request_id_of
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
        elope: NamedDependency[Elope],
        data: JSONBody[LoginCreate],
        request: Request[Any, Any, Any],
    ) -> TokenRead:
        user: AdminUser = await elope.bus.handle(
            LogIn(
                email=data.email,
                password=data.password,
                client=client_of(request),
                correlation_id=request_id_of(request),
            )
        )
        return TokenRead(
            issue_token(elope.settings.effective_jwt_secret, user.id, user.email, elope.clock.now())
        )
