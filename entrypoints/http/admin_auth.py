"""Admin tokens: HS256 JWTs from Litestar's JWT support, checked by a guard on the admin
router (so public routes never pay for, or trip over, token parsing)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException
from litestar.handlers.base import BaseRouteHandler
from litestar.security.jwt import Token

ALGORITHM = "HS256"
TOKEN_LIFETIME = dt.timedelta(hours=8)
ISSUER = "elope"


def issue_token(secret: str, admin_id: str, email: str, now: dt.datetime) -> str:
    token = Token(sub=admin_id, exp=now + TOKEN_LIFETIME, iat=now, iss=ISSUER, extras={"email": email})
    return token.encode(secret, ALGORITHM)


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
