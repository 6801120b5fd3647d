"""Elope, started by `elope serve` and pointed at the tracing UI, and one booking made on it.

The mock preset needs nothing else: its checkout is a local stand-in and its dev route pays
a session through the very path a signed webhook takes. The real preset reuses the bench's
pieces: a fresh PostgreSQL database (`elope migrate`, `elope seed`), the tests' fake Stripe as
a process, and a signed `checkout.session.completed` delivered to `/v1/webhooks/stripe`.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from pathlib import Path

import aiohttp

from bench.children import ELOPE, REPO, BenchFailed, Children, free_port, wait_ready
from bench.elope_server import prepare_template, service_environment
from bench.otlp_sink import EXPORT_DELAY_MS
from bench.stripe_fake import StripeFakeProcess
from tracing_ui.journey import PROJECT_RESOURCE

DEFAULT_DATABASE_URL = "postgresql://postgres@127.0.0.1:5432/elope_tracing_ui"


@dataclass(frozen=True)
class Booking:
    journey_id: str
    session_id: str
    event_date: dt.date
    webhook_request_id: str  # the payment's own X-Request-ID: not the journey's


class Elope:
    def __init__(self, base_url: str, preset: str, stripe: StripeFakeProcess | None) -> None:
        self.base_url = base_url
        self.preset = preset
        self._stripe = stripe

    async def book(self, journey_id: str) -> Booking:
        """A checkout with X-Request-ID `journey_id` for the first free date, then its payment."""
        async with aiohttp.ClientSession(self.base_url) as http:
            async with http.get("/v1/packages") as answer:
                answer.raise_for_status()
                slug = (await answer.json())[0]["slug"]
            day = await _free_date(http)
            body = {"packageSlug": slug, "eventDate": day.isoformat(), "coupleName": "Ada & Grace",
                    "email": "ada@example.com", "addOnIds": []}
            async with http.post("/v1/bookings/checkout", json=body,
                                 headers={"X-Request-ID": journey_id}) as answer:
                await _expect(answer, 201, "checkout")
                if answer.headers.get("X-Request-ID") != journey_id:
                    raise BenchFailed(f"the checkout answered X-Request-ID"
                                      f" {answer.headers.get('X-Request-ID')}, not {journey_id}")
                session_id = (await answer.json())["sessionId"]
            webhook_request_id = await self._pay(http, session_id)
            async with http.get("/v1/availability", params={"date": day.isoformat()}) as answer:
                answer.raise_for_status()
                reason = (await answer.json())["reason"]
            if reason != "booked":
                raise BenchFailed(f"{day} is {reason!r} after its payment, not booked")
        return Booking(journey_id, session_id, day, webhook_request_id)

    async def _pay(self, http: aiohttp.ClientSession, session_id: str) -> str:
        """The couple pays; the payment's request id (no X-Request-ID is sent: like Stripe's
        delivery, it gets one of its own, and the journey id must come from the session)."""
        if self._stripe is None:
            async with http.post("/v1/dev/simulate-checkout-completed",
                                 json={"sessionId": session_id}) as answer:
                await _expect(answer, 200, "the mock payment")
                return answer.headers.get("X-Request-ID", "")
        [(raw, signature)] = await self._stripe.pay([session_id])
        async with http.post("/v1/webhooks/stripe", data=raw,
                             headers={"Stripe-Signature": signature,
                                      "Content-Type": "application/json"}) as answer:
            await _expect(answer, 200, "the webhook")
            return answer.headers.get("X-Request-ID", "")


async def start_elope(children: Children, preset: str, otlp_endpoint: str, run_dir: Path,
                      database_url: str = DEFAULT_DATABASE_URL) -> Elope:
    """`elope serve` on a free port of 127.0.0.1, exporting its traces to `otlp_endpoint`."""
    mail_dir = run_dir / "mail"
    stripe: StripeFakeProcess | None = None
    if preset == "real":
        stripe = StripeFakeProcess(children)
        await stripe.start()
        env = service_environment(database_url, stripe.base_url, mail_dir, otlp_endpoint)
        await prepare_template(env)  # drop, create, migrate, seed: a fresh database
    else:
        env = _mock_environment(mail_dir, otlp_endpoint)
    env["OTEL_RESOURCE_ATTRIBUTES"] = PROJECT_RESOURCE
    port = free_port()
    child = children.spawn("elope", [ELOPE, "serve", "--host", "127.0.0.1", "--port", str(port)], env)
    base_url = f"http://127.0.0.1:{port}"
    await wait_ready(child, f"{base_url}/health/ready", timeout_seconds=60)
    return Elope(base_url, preset, stripe)


def _mock_environment(mail_dir: Path, otlp_endpoint: str) -> dict[str, str]:
    # As the bench's service_environment, on the mock preset: nothing inherited may point
    # the traces elsewhere.
    env = {k: v for k, v in os.environ.items() if not k.startswith("OTEL_")}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
    env.update(ADAPTERS_PRESET="mock", ELOPE_ENV_FILE="", MAIL_SINK_DIR=str(mail_dir), LOG_LEVEL="WARNING",
               OTEL_EXPORTER_OTLP_ENDPOINT=otlp_endpoint,
               # The SDK's 5 s would make every run wait for the last batch.
               OTEL_BSP_SCHEDULE_DELAY=str(EXPORT_DELAY_MS))
    return env


async def _free_date(http: aiohttp.ClientSession) -> dt.date:
    """The first date from a month ahead that the service says is free."""
    start = dt.date.today() + dt.timedelta(days=30)
    for offset in range(365):
        day = start + dt.timedelta(days=offset)
        async with http.get("/v1/availability", params={"date": day.isoformat()}) as answer:
            answer.raise_for_status()
            if (await answer.json())["available"]:
                return day
    raise BenchFailed("no free date in the year after next month")


async def _expect(answer: aiohttp.ClientResponse, status: int, what: str) -> None:
    if answer.status != status:
        raise BenchFailed(f"{what} answered {answer.status}: {(await answer.text())[:300]}")
