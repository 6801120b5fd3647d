"""FakeStripe: the part of Stripe's HTTP API the adapter calls, for tests over real HTTP.

Form-encoded requests and JSON answers as Stripe's own, validated where Stripe validates what
the port relies on (the key, metadata limits, expiry window, open sessions, idempotency
keys). Sessions, charges and events come from the same builders as the in-process stand-in.
It runs in another thread (`serving`), so every public method and property takes the lock.
"""

from __future__ import annotations

import asyncio
import copy
import json
import threading
import uuid
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import parse_qsl

from adapters.stand_ins import stripe_objects
from adapters.stripe.webhook_verification import signed_event
from domain.errors import NotFound
from tests.fakes.local_server import request_of, serving
from tests.fakes.stripe_routes import Reply, StripeRoutes, stripe_error

Recorded = tuple[str, str, dict[str, str], dict[str, str]]


class FakeStripe(StripeRoutes):
    """An ASGI app answering as Stripe would; see `fake_stripe` to run it."""

    def __init__(self, secret_key: str, webhook_secret: str) -> None:
        super().__init__(secret_key)
        self.webhook_secret = webhook_secret
        # Read on the server thread before each API call; seconds to stall the answer.
        self.delay_seconds = 0.0
        self._lock = threading.Lock()
        self._failures: deque[tuple[int, str]] = deque()
        self._requests: list[Recorded] = []
        self._replies: dict[str, tuple[str, str, dict[str, str], Reply]] = {}

    # -- what tests read ---------------------------------------------------------------
    @property
    def sessions(self) -> dict[str, dict[str, Any]]:
        with self._lock:
            return copy.deepcopy(self._sessions)

    @property
    def refunds(self) -> dict[str, dict[str, Any]]:
        """By idempotency key: {"id", "payment_intent", "amount"}, as LocalCheckout's."""
        with self._lock:
            return copy.deepcopy(self._refunds)

    @property
    def requests(self) -> list[Recorded]:
        """Every API call: (method, path, headers lower-cased, form or query fields)."""
        with self._lock:
            return copy.deepcopy(self._requests)

    # -- what Stripe's side of the world does -------------------------------------------
    def pay(self, session_id: str) -> tuple[bytes, str]:
        """The couple pays; returns the signed `checkout.session.completed` (again, as a
        redelivery, when paid already). An expired session raises `Conflict`."""
        with self._lock:
            stripe_objects.settle(self._session(session_id), paid=True)
        return self.event_for(session_id, "checkout.session.completed")

    def adopt_paid(self, session: dict[str, Any]) -> None:
        """A paid session this fake did not open (a test built its event by hand): from now
        on Stripe knows it, so its payment can be refunded."""
        with self._lock:
            self._sessions[str(session["id"])] = {"currency": "usd", **copy.deepcopy(session)}

    def complete_unpaid(self, session_id: str) -> None:
        """Checkout finished with an asynchronous payment method still pending."""
        with self._lock:
            stripe_objects.settle(self._session(session_id), paid=False)

    def expire_now(self, session_id: str) -> None:
        with self._lock:
            stripe_objects.expire(self._session(session_id))

    def event_for(self, session_id: str, event_type: str) -> tuple[bytes, str]:
        with self._lock:
            payload = stripe_objects.session_event(self._session(session_id), event_type)
        return signed_event(payload, self.webhook_secret)

    def refund_event(self, session_id: str, amount_refunded_cents: int) -> tuple[bytes, str]:
        with self._lock:
            payload = stripe_objects.charge_refunded_event(self._session(session_id),
                                                           amount_refunded_cents)
        return signed_event(payload, self.webhook_secret)

    def fail_next(self, status: int, error_type: str, count: int = 1) -> None:
        """The next `count` API calls answer `status` with a Stripe error of `error_type`
        (402 card_error, 429 rate_limit_error, 500 api_error, ...)."""
        with self._lock:
            self._failures.extend([(status, error_type)] * count)

    # -- ASGI --------------------------------------------------------------------------
    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        body, headers = await request_of(scope, receive)
        method, path = scope["method"], scope["path"]
        raw_fields = body if method == "POST" else scope["query_string"]
        fields = dict(parse_qsl(raw_fields.decode(), keep_blank_values=True))
        if path.startswith("/v1/") and self.delay_seconds:
            await asyncio.sleep(self.delay_seconds)
        with self._lock:
            status, payload = self._answer(method, path, headers, fields)
        content_type = b"application/json" if path.startswith("/v1/") else b"text/html"
        data = json.dumps(payload).encode() if content_type == b"application/json" else payload
        await send({"type": "http.response.start", "status": status, "headers": [
            (b"content-type", content_type), (b"request-id", f"req_{uuid.uuid4().hex[:14]}".encode()),
        ]})
        await send({"type": "http.response.body", "body": data})

    def _answer(self, method: str, path: str, headers: dict[str, str],
                fields: dict[str, str]) -> Reply:
        if not path.startswith("/v1/"):
            return 200, f"<p>Fake Stripe checkout page {path}</p>".encode()
        self._requests.append((method, path, headers, fields))
        if self._failures:
            status, error_type = self._failures.popleft()
            return stripe_error(status, error_type, f"fake stripe detail: {error_type}",
                                code="card_declined" if error_type == "card_error" else None)
        if headers.get("authorization") != f"Bearer {self._secret_key}":
            # Echo the key presented, so a test can prove no message reaches the caller.
            return stripe_error(401, "invalid_request_error",
                                f"fake stripe detail: Invalid API Key provided: "
                                f"{headers.get('authorization')}")
        key = headers.get("idempotency-key") if method == "POST" else None
        if key is not None and key in self._replies:
            *first_request, reply = self._replies[key]
            if tuple(first_request) != (method, path, fields):
                return stripe_error(400, "idempotency_error", "fake stripe detail: key reused")
            return copy.deepcopy(reply)
        reply = self.route(method, path, fields, headers.get("host", "127.0.0.1"), key)
        if key is not None and reply[0] == 200:
            self._replies[key] = (method, path, fields, copy.deepcopy(reply))
        return reply

    def _session(self, session_id: str) -> dict[str, Any]:
        session = self._sessions.get(session_id)
        if session is None:
            raise NotFound(f"no checkout session '{session_id}'")
        return session


class FakeStripePort:
    """One served port for many tests: each swaps in a fresh FakeStripe (`fresh`) rather
    than paying for a server start and stop (~0.2 s) of its own."""

    def __init__(self) -> None:
        self._fake: FakeStripe | None = None

    def fresh(self, secret_key: str, webhook_secret: str) -> FakeStripe:
        self._fake = FakeStripe(secret_key, webhook_secret)
        return self._fake

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if self._fake is None:
            raise RuntimeError("call FakeStripePort.fresh() before using the port")
        await self._fake(scope, receive, send)


@contextmanager
def fake_stripe_port() -> Iterator[tuple[FakeStripePort, str]]:
    """Serve a FakeStripePort on a free local port (module- or session-scoped fixtures)."""
    port = FakeStripePort()
    with serving(port) as base_url:
        yield port, base_url


@contextmanager
def fake_stripe(secret_key: str, webhook_secret: str) -> Iterator[tuple[FakeStripe, str]]:
    """Run a FakeStripe on a free local port; yields it and its base URL."""
    fake = FakeStripe(secret_key, webhook_secret)
    with serving(fake) as base_url:
        yield fake, base_url


if __name__ == "__main__":
    # A local Stripe for trying the real preset by hand (README): it answers the API calls
    # Elope makes; payments still arrive as webhooks you sign yourself. Its keys are Elope's
    # own, from the environment or `.env`, as `elope serve` reads them.
    import sys

    import uvicorn

    from entrypoints.settings import SettingsError, load_settings

    try:
        elope_settings = load_settings()
    except SettingsError as exc:
        sys.exit(f"stripe_server: {exc}")
    secret_key = elope_settings.stripe_secret_key
    if secret_key is None:
        sys.exit("stripe_server: STRIPE_SECRET_KEY is not set (in the environment or .env)")
    uvicorn.run(FakeStripe(secret_key.get_secret_value(), elope_settings.webhook_secret),
                host="127.0.0.1", port=int(sys.argv[1]) if len(sys.argv) > 1 else 12111,
                log_level="warning")
