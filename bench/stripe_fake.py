"""The tests' FakeStripe as a process of its own, plus two routes only the bench calls.

The service calls it for checkout sessions and refunds. It runs outside the load generator's
process, so its work (and its lock) never slows the client that is being timed. The bench
reaches its state over HTTP:

- `POST /bench/adopt` with a JSON list of sessions: paid sessions the bench built by hand
  become known to it, so their payments can be refunded (`FakeStripe.adopt_paid`);
- `POST /bench/pay` with a JSON list of session ids: those couples pay; the answer is the
  signed `checkout.session.completed` event of each (`FakeStripe.pay`), for the bench to
  deliver;
- `GET /bench/refunds`: the idempotency keys of every refund made so far.

Run: `python -m bench.stripe_fake PORT`, with STRIPE_SECRET_KEY and STRIPE_WEBHOOK_SECRET set.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

import aiohttp

from bench.children import PYTHON, Child, Children, free_port, wait_ready
from tests.fakes.local_server import request_of
from tests.fakes.stripe_server import FakeStripe

Scope = dict[str, Any]
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]

SECRET_KEY = "sk_test_bench"
WEBHOOK_SECRET = "whsec_bench"


class BenchStripe:
    """FakeStripe, with the adopt and refunds routes in front of it."""

    def __init__(self, fake: FakeStripe) -> None:
        self._fake = fake

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith("/bench/"):
            await self._fake(scope, receive, send)
            return
        body, _ = await request_of(scope, receive)
        if scope["path"] == "/bench/adopt":
            sessions = json.loads(body)
            for session in sessions:
                self._fake.adopt_paid(session)
            answer: object = {"adopted": len(sessions)}
        elif scope["path"] == "/bench/pay":
            answer = [[raw.decode(), signature]
                      for raw, signature in map(self._fake.pay, json.loads(body))]
        else:
            answer = {"keys": sorted(self._fake.refunds)}
        await send({"type": "http.response.start", "status": 200,
                    "headers": [(b"content-type", b"application/json")]})
        await send({"type": "http.response.body", "body": json.dumps(answer).encode()})


class StripeFakeProcess:
    """The running fake, as the bench sees it."""

    def __init__(self, children: Children) -> None:
        self._children = children
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self._child: Child | None = None

    async def start(self) -> None:
        env = {**os.environ, "STRIPE_SECRET_KEY": SECRET_KEY, "STRIPE_WEBHOOK_SECRET": WEBHOOK_SECRET}
        self._child = self._children.spawn(
            "fake-stripe", [PYTHON, "-m", "bench.stripe_fake", str(self.port)], env)
        await wait_ready(self._child, f"{self.base_url}/bench/refunds")

    async def adopt(self, sessions: list[dict[str, Any]]) -> None:
        async with aiohttp.ClientSession() as http, \
                http.post(f"{self.base_url}/bench/adopt", json=sessions) as answer:
            answer.raise_for_status()

    async def pay(self, session_ids: list[str]) -> list[tuple[bytes, str]]:
        """The sessions paid: the signed event of each (body, Stripe-Signature), signed now."""
        async with aiohttp.ClientSession() as http, \
                http.post(f"{self.base_url}/bench/pay", json=session_ids) as answer:
            answer.raise_for_status()
            return [(raw.encode(), signature) for raw, signature in await answer.json()]

    async def refund_keys(self) -> set[str]:
        async with aiohttp.ClientSession() as http, \
                http.get(f"{self.base_url}/bench/refunds") as answer:
            answer.raise_for_status()
            return set((await answer.json())["keys"])


def main() -> None:
    import uvicorn

    fake = FakeStripe(os.environ["STRIPE_SECRET_KEY"], os.environ["STRIPE_WEBHOOK_SECRET"])
    uvicorn.run(BenchStripe(fake), host="127.0.0.1", port=int(sys.argv[1]), log_level="warning",
                lifespan="off", access_log=False)


if __name__ == "__main__":
    main()
