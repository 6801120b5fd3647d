"""A Postmark-shaped HTTP server for tests: `POST /email` and `GET /server`, checking the
server token as Postmark does, recording every request, and failing on demand.

Run it with `fake_postmark(token)`, which serves it on a real port (tests.fakes.local_server),
so the adapter under test goes through real sockets, timeouts and connection errors."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import threading
import uuid
from collections import deque
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from tests.fakes.local_server import request_of, serving

Receive = Callable[[], Awaitable[dict[str, Any]]]
Send = Callable[[dict[str, Any]], Awaitable[None]]

_BAD_TOKEN = {"ErrorCode": 10, "Message": "Request does not contain a valid Server token."}


@dataclass(frozen=True)
class RecordedRequest:
    method: str
    path: str
    headers: dict[str, str]  # names lower-cased
    body: Any  # the parsed JSON, None when there was none or it was not JSON
    status: int  # what the fake answered


class FakePostmark:
    """An ASGI app answering like Postmark's API. Thread-safe: it runs on the server's thread
    while the test reads `requests` and injects failures from its own."""

    def __init__(self, token: str, *, server_name: str = "Elope test server") -> None:
        self.token = token
        self.server_name = server_name
        # Seconds to wait before answering each request: a slow Postmark.
        self.delay_seconds = 0.0
        self._lock = threading.Lock()
        self._requests: list[RecordedRequest] = []
        self._injected: deque[tuple[int, int]] = deque()

    @property
    def requests(self) -> list[RecordedRequest]:
        """Every request so far, in arrival order (a copy)."""
        with self._lock:
            return list(self._requests)

    def emails(self) -> list[dict[str, Any]]:
        """The bodies of the emails it accepted, in order."""
        return [r.body for r in self.requests
                if (r.method, r.path, r.status) == ("POST", "/email", 200)]

    def respond_next(self, status: int, error_code: int, count: int = 1) -> None:
        """Answer the next `count` requests with `status` and this Postmark ErrorCode, whatever
        they ask (before the token is checked)."""
        with self._lock:
            self._injected.extend([(status, error_code)] * count)

    async def __call__(self, scope: dict[str, Any], receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return
        raw, headers = await request_of(scope, receive)
        try:
            body = json.loads(raw) if raw else None
        except ValueError:
            body = None
        status, answer = self._answer(scope["method"], scope["path"], headers, body)
        with self._lock:
            self._requests.append(RecordedRequest(scope["method"], scope["path"], headers, body,
                                                  status))
        if self.delay_seconds:
            await asyncio.sleep(self.delay_seconds)
        encoded = json.dumps(answer).encode()
        await send({"type": "http.response.start", "status": status,
                    "headers": [(b"content-type", b"application/json"),
                                (b"content-length", str(len(encoded)).encode())]})
        await send({"type": "http.response.body", "body": encoded})

    def _answer(self, method: str, path: str, headers: dict[str, str],
                body: Any) -> tuple[int, dict[str, Any]]:
        with self._lock:
            injected = self._injected.popleft() if self._injected else None
        if injected is not None:
            status, code = injected
            return status, {"ErrorCode": code, "Message": f"Injected failure {code}."}
        if headers.get("x-postmark-server-token") != self.token:
            return 401, _BAD_TOKEN
        if (method, path) == ("GET", "/server"):
            # Postmark lists the server's tokens here too: what an adapter must not echo.
            return 200, {"ID": 1, "Name": self.server_name, "ApiTokens": [self.token],
                         "Color": "blue", "DeliveryType": "Live"}
        if (method, path) != ("POST", "/email"):
            return 404, {"ErrorCode": 404, "Message": "Not found."}
        if not isinstance(body, dict):
            return 422, {"ErrorCode": 402, "Message": "Received invalid JSON input."}
        if not body.get("From") or not body.get("To"):
            return 422, {"ErrorCode": 300, "Message": "Invalid email request."}
        if not body.get("TextBody") and not body.get("HtmlBody"):
            return 422, {"ErrorCode": 300, "Message": "Provide either email TextBody or HtmlBody."}
        return 200, {"To": body["To"], "SubmittedAt": dt.datetime.now(dt.UTC).isoformat(),
                     "MessageID": str(uuid.uuid4()), "ErrorCode": 0, "Message": "OK"}


@contextmanager
def fake_postmark(token: str) -> Iterator[tuple[FakePostmark, str]]:
    """A FakePostmark served on 127.0.0.1 for the block; yields it and its base URL."""
    fake = FakePostmark(token)
    with serving(fake) as base_url:
        yield fake, base_url
