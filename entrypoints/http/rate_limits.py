"""Per-client rate limits on single routes (CHECKOUT_RATE_LIMIT, WEBHOOK_RATE_LIMIT), as
route guards: they run before the body is read, so a refused request costs one counter hit.

Why not Litestar's RateLimitConfig: it counts every path of the app in one budget, in
process memory; these budgets are per route, each counted where its route needs it (in the
real preset the checkout's in PostgreSQL, shared by every instance). A refusal is SPEC §8's
429 RATE_LIMITED with a Retry-After header."""

from __future__ import annotations

import logging
from typing import Any

from litestar.connection import ASGIConnection
from litestar.handlers.base import BaseRouteHandler
from litestar.types import Guard

from application.ports.rate_limits import RateLimit, RateLimiter
from domain.errors import RateLimited, StorageUnavailable
from entrypoints.http.client_address import ClientAddresses

STATE_KEY = "route_rate_limits"

log = logging.getLogger("elope.http")


class RouteRateLimits:
    """The app's budgets by name - each a limit (None: off) and the limiter that counts it -
    counted per client."""

    def __init__(self, clients: ClientAddresses,
                 budgets: dict[str, tuple[RateLimit | None, RateLimiter]]) -> None:
        self._clients = clients
        self._budgets = budgets

    async def check(self, name: str, connection: ASGIConnection[Any, Any, Any, Any]) -> None:
        limit, limiter = self._budgets.get(name, (None, None))
        if limit is None or limiter is None:
            return
        try:
            wait = await limiter.hit(limit, self._clients.of(connection))
        except StorageUnavailable:
            # Open, not shut: the route answers an outage its own way (a webhook is kept in
            # the dead-letter queue, a checkout gets 503) - a counter must not pre-empt that.
            log.warning("rate limit %s not counted: its storage is unavailable", name)
            return
        if wait is not None:
            raise RateLimited(f"too many {name} requests from this client; try again later",
                              retry_after=wait)


def rate_limited(name: str) -> Guard:
    """A guard that counts the request against the app's `name` budget for its client."""

    async def guard(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
        limits: RouteRateLimits = connection.app.state[STATE_KEY]
        await limits.check(name, connection)

    return guard
