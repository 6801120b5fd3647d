"""X-Request-ID in, X-Request-ID out, and the correlation id bound in between."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from opentelemetry import trace

from adapters.telemetry.correlation import (
    CORRELATION_KEY,
    bind_correlation_id,
    new_correlation_id,
    reset_correlation_id,
    valid_request_id,
)

# Deliberately loose ASGI types: Litestar's Scope is a union of TypedDicts, which is not
# assignable to MutableMapping, so precise types here would make wrapping a Litestar app (or
# being wrapped by it) fail type checks. Any keeps this usable with any ASGI framework.
Message = MutableMapping[str, Any]
ASGIApp = Callable[[Any, Any, Any], Awaitable[None]]

HEADER = b"x-request-id"


class RequestIdMiddleware:
    """Pure ASGI middleware; only http scopes are touched (lifespan/websocket pass through)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        cid = valid_request_id(_header(scope, HEADER)) or new_correlation_id()
        # Litestar keeps `scope["state"]` (setdefault) and exposes it as request.state.
        scope.setdefault("state", {})["request_id"] = cid
        # Present when installed inside the OTel ASGI middleware; when installed outside it,
        # the span processor stamps the server span from the bound id instead.
        span = trace.get_current_span()
        if span.is_recording():
            span.set_attribute(CORRELATION_KEY, cid)

        started = False

        async def send_with_id(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                headers = [(k, v) for k, v in message.get("headers", []) if k.lower() != HEADER]
                headers.append((HEADER, cid.encode("ascii")))
                message = {**message, "headers": headers}
            await send(message)

        token = bind_correlation_id(cid)
        try:
            await self.app(scope, receive, send_with_id)
        except Exception:
            # An exception that escaped the app: answer 500 ourselves so even this response
            # carries the id, then re-raise so the server still logs it (as Starlette does).
            if not started:
                await send_with_id(_plain(500, b"Internal Server Error"))
                await send_with_id({"type": "http.response.body", "body": b"Internal Server Error"})
            raise
        finally:
            reset_correlation_id(token)


def _header(scope: Any, name: bytes) -> str | None:
    for key, value in scope.get("headers", []):
        if key.lower() == name:
            # latin-1 never fails on raw header bytes; validation rejects anything odd after.
            return bytes(value).decode("latin-1")
    return None


def _plain(status: int, body: bytes) -> Message:
    return {
        "type": "http.response.start",
        "status": status,
        "headers": [
            (b"content-type", b"text/plain; charset=utf-8"),
            (b"content-length", str(len(body)).encode("ascii")),
        ],
    }
