"""One access line per HTTP request (method, route template, status, duration), and the
per-route request-duration histogram, measured once for both.

Pure ASGI around the whole app, like ServerSpanMiddleware: the route template is only in
`scope["path_template"]` once the router has run, so it is read after the app returns. The
raw path is never used as a label or logged here: it carries booking ids and whatever a
scanner tries, and would give every request its own series.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from application.ports.metrics import Metrics

# Loose ASGI types, as in request_id_middleware.py.
Message = MutableMapping[str, Any]
ASGIApp = Callable[[Any, Any, Any], Awaitable[None]]

UNMATCHED = "unmatched"
"""The route label of a request no route took (404, 405): one series for all of them."""

_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
"""The methods that get a label of their own; a client can send any token as a method."""

log = logging.getLogger("elope.access")


class AccessLogMiddleware:
    """Paths matching `quiet` (regular expressions: probes, scrapes) are logged at DEBUG, so
    they do not bury the requests people make; they are still measured."""

    def __init__(self, app: ASGIApp, metrics: Metrics, *, log_requests: bool,
                 quiet: list[str]) -> None:
        self.app = app
        self._metrics = metrics
        self._log_requests = log_requests
        self._quiet = re.compile("|".join(quiet)) if quiet else None

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        # Matched before the app runs: the router rewrites scope["path"].
        quiet = bool(self._quiet and self._quiet.match(scope["path"]))
        status = 0

        async def send_noting_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        started = time.perf_counter()
        try:
            await self.app(scope, receive, send_noting_status)
        finally:
            seconds = time.perf_counter() - started
            # Nothing sent: the exception escaped, and the request-id middleware answers 500.
            self._finished(scope, status or 500, seconds, quiet)

    def _finished(self, scope: Any, status: int, seconds: float, quiet: bool) -> None:
        method = scope["method"]
        route = scope.get("path_template") or UNMATCHED
        self._metrics.request_finished(method if method in _METHODS else "OTHER", route,
                                       status, seconds)
        level = logging.DEBUG if quiet else logging.INFO
        if self._log_requests and log.isEnabledFor(level):
            duration_ms = round(seconds * 1000, 2)
            # The facts as fields (searchable in JSON, key=value on a console), not in the text.
            log.log(level, "request", extra={"method": method, "route": route, "status": status,
                                             "duration_ms": duration_ms})
