"""Admin tokens: HS256 JWTs from Litestar's JWT support, checked by a guard on the admin
router (so public routes never pay for, or trip over, token parsing)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException
from litestar.handlers.base import BaseRouteHandler
from litestar.security.jwt import Token

from application.ports.clock import Clock
from domain.admin_user import AdminUser

ALGORITHM = "HS256"
TOKEN_LIFETIME = dt.timedelta(hours=8)
ISSUER = "elope"


@dataclass(frozen=True)
class AdminTokens:
    """Issues the bearer tokens the admin guard accepts."""

    secret: str
    clock: Clock

    def issue(self, admin: AdminUser) -> str:
        now = self.clock.now()
        token = Token(sub=admin.id, exp=now + TOKEN_LIFETIME, iat=now, iss=ISSUER,
                      extras={"email": admin.email})
        return token.encode(self.secret, ALGORITHM)


def admin_guard(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
    header = connection.headers.get("authorization", "")
    scheme, _sep, encoded = header.partition(" ")
    if scheme.lower() != "bearer" or not encoded:
        raise NotAuthorizedException("a valid admin token is required")
    secret: str = connection.app.state.jwt_secret
    try:
        Token.decode(encoded.strip(), secret, ALGORITHM, issuer=ISSUER)
    except NotAuthorizedException:
        raise NotAuthorizedException("a valid admin token is required") from None
