"""Admin tokens: HS256 JWTs, checked by a guard on the admin router (so public routes never
pay for, or trip over, token parsing).

A token names its admin (`sub`), is for this service's admin API and nothing else (`iss`,
`aud`), lives JWT_TTL_MINUTES at most (`iat`, `exp`), and carries `pwv`, a keyed fingerprint
of the admin's password hash. The guard reads the admin by id on every admin request (one
primary-key read; admin routes are not hot, and a cache would let a revoked token in for as
long as it kept the admin), so a token dies at once, in every instance, when its admin is
deleted or its password changes: argon2 salts every hash, so even setting the same password
again gives a new one. A fingerprint rather than a "password changed at" time compared with
`iat`: no tie when a token is issued in the same second as the change, no trust in the
clocks of several instances agreeing, no column to keep in step, and a hash changed by any
path (an operator's SQL included) counts.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import math
from dataclasses import dataclass
from typing import Any

import jwt
from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException
from litestar.handlers.base import BaseRouteHandler

from application.ports.clock import Clock
from application.queries.admins import AdminQueries
from domain.admin_user import AdminUser

ALGORITHM = "HS256"
ISSUER = "elope"
AUDIENCE = "elope-admin"
PASSWORD_VERSION = "pwv"
REQUIRED_CLAIMS = ["sub", "iss", "aud", "iat", "exp", PASSWORD_VERSION]
# Several instances' clocks differ a little: a token one of them issued a moment "ahead" of
# another is not refused as issued in the future.
CLOCK_SKEW_SECONDS = 30
REFUSAL = "a valid admin token is required"


@dataclass(frozen=True)
class AdminTokens:
    """Issues the bearer tokens the admin guard accepts, and says whose a token is."""

    secret: str
    clock: Clock
    lifetime: dt.timedelta
    admins: AdminQueries

    @classmethod
    def of(cls, secret: str, clock: Clock, lifetime_minutes: int,
           admins: AdminQueries) -> AdminTokens:
        return cls(secret, clock, dt.timedelta(minutes=lifetime_minutes), admins)

    def issue(self, admin: AdminUser) -> str:
        now = int(self.clock.now().timestamp())
        claims = {"sub": admin.id, "iss": ISSUER, "aud": AUDIENCE, "iat": now,
                  "exp": now + int(self.lifetime.total_seconds()),
                  PASSWORD_VERSION: self._password_version(admin)}
        return jwt.encode(claims, self.secret, algorithm=ALGORITHM)

    async def admin_of(self, token: str) -> AdminUser | None:
        """The admin `token` opens the admin API for, or None: a token that is forged,
        expired, not ours, lives longer than JWT_TTL_MINUTES, or whose admin is gone or has
        a new password since."""
        claims = self._claims(token)
        if claims is None:
            return None
        admin = await self.admins.by_id(claims["sub"])
        if admin is None or not hmac.compare_digest(  # bytes: a str must be ASCII here
                claims[PASSWORD_VERSION].encode(), self._password_version(admin).encode()):
            return None
        return admin

    def _claims(self, token: str) -> dict[str, Any] | None:
        try:
            # PyJWT can only read the system clock: the time claims are checked below against
            # the service's Clock, the one holds and sessions are timed by too.
            claims: dict[str, Any] = jwt.decode(
                token, self.secret, algorithms=[ALGORITHM], issuer=ISSUER, audience=AUDIENCE,
                options={"require": REQUIRED_CLAIMS, "verify_exp": False, "verify_iat": False,
                         "verify_nbf": False})
        except jwt.InvalidTokenError:
            return None
        issued, expires = claims["iat"], claims["exp"]
        if not (_is_time(issued) and _is_time(expires) and isinstance(claims["sub"], str)
                and isinstance(claims[PASSWORD_VERSION], str)):
            return None
        now = self.clock.now().timestamp()
        too_long = expires - issued > self.lifetime.total_seconds()
        if issued > now + CLOCK_SKEW_SECONDS or now >= expires or too_long:
            return None
        return claims

    def _password_version(self, admin: AdminUser) -> str:
        # Keyed, so a token shows nothing about the hash; short, as it only has to differ.
        digest = hmac.new(self.secret.encode(), b"admin-password:" + admin.password_hash.encode(),
                          hashlib.sha256).digest()[:16]
        return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def _is_time(value: object) -> bool:
    # Python's JSON reader takes NaN and Infinity, which every comparison below would let by.
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)

async def admin_guard(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
    header = connection.headers.get("authorization", "")
    scheme, _sep, encoded = header.partition(" ")
    if scheme.lower() != "bearer" or not encoded:
        raise NotAuthorizedException(REFUSAL)
    tokens: AdminTokens = connection.app.state.admin_tokens
    if await tokens.admin_of(encoded.strip()) is None:
        raise NotAuthorizedException(REFUSAL)
