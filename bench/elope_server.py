"""The service under test: the real preset, started by `elope serve` as a child process.

Each start is on a fresh database (dropped, and created as a copy of a template the run made
once with `elope migrate` and `elope seed`), so a phase knows which dates are still free and
nothing left by an earlier phase is counted.
Phases say what they need (`ensure`: tracing, workers, how many dates) and the server is
started over only when that differs from what runs.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import time
from dataclasses import dataclass
from pathlib import Path

import aiohttp

from bench import databases
from bench.children import ELOPE, REPO, BenchFailed, Child, Children, free_port, run_to_end, wait_ready
from bench.dates import HORIZON_DAYS, DateBook
from bench.events import Package
from bench.otlp_sink import EXPORT_DELAY_MS, OtlpSink
from bench.stripe_fake import SECRET_KEY, WEBHOOK_SECRET, StripeFakeProcess

# Any 48 characters: the real preset refuses a JWT secret under 32 bytes.
JWT_SECRET = "bench-jwt-secret-" * 3
# A day's margin each side: the service's "today" may turn over during a run.
BOOKABLE_DAYS = HORIZON_DAYS - 2


def service_environment(database_url: str, stripe_base: str, mail_dir: Path,
                        otlp_endpoint: str | None = None) -> dict[str, str]:
    """The real preset's settings (entrypoints/settings.py) for a bench run."""
    # Nothing inherited may switch tracing on (or point it elsewhere) behind our back.
    env = {k: v for k, v in os.environ.items() if not k.startswith("OTEL_")}
    # The service from the tree this bench is in, whatever tree the `elope` script points at.
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
    env.update(
        # A `.env` in the tree must not switch anything on (tracing, Postmark) either.
        ELOPE_ENV_FILE="",
        ADAPTERS_PRESET="real", DATABASE_URL=database_url, JWT_SECRET=JWT_SECRET,
        STRIPE_SECRET_KEY=SECRET_KEY, STRIPE_WEBHOOK_SECRET=WEBHOOK_SECRET,
        STRIPE_API_BASE=stripe_base, MAIL_SINK_DIR=str(mail_dir), LOG_LEVEL="WARNING",
        # The largest horizon there is, for the most dates per database.
        BOOKING_HORIZON_DAYS=str(HORIZON_DAYS),
        # The load comes from one client, where real traffic comes from many: the limits
        # stay on (their counting is part of the cost measured) but far above the load.
        HOLDS_PER_CLIENT="1000000", CHECKOUT_RATE_LIMIT="1000000/second",
        WEBHOOK_RATE_LIMIT="1000000/second",
    )
    if otlp_endpoint is not None:
        env["OTEL_EXPORTER_OTLP_ENDPOINT"] = otlp_endpoint
        env["OTEL_BSP_SCHEDULE_DELAY"] = str(EXPORT_DELAY_MS)
    return env


async def prepare_template(env: dict[str, str]) -> str:
    """Drop and create env's DATABASE_URL, `elope migrate` and `elope seed` into it; returns
    its name. Every fresh database of the run is a copy of it: made in a tenth of a second,
    rather than the seconds two more `elope` processes take."""
    await databases.recreate(env["DATABASE_URL"])
    await run_to_end("elope migrate", [ELOPE, "migrate"], env)
    await run_to_end("elope seed", [ELOPE, "seed"], env)
    return databases.database_name(env["DATABASE_URL"])


@dataclass(frozen=True)
class ServeConfig:
    """How the server runs: what a phase may require."""

    tracing: bool = False  # OTLP export to the sink
    workers: int = 1


class ElopeServer:
    def __init__(self, children: Children, database_url: str, template: str,
                 stripe: StripeFakeProcess, sink: OtlpSink, work_dir: Path) -> None:
        self._children = children
        self.database_url = database_url
        self._template = template
        self._stripe = stripe
        self._sink = sink
        self._mail_dir = work_dir / "mail"
        self._child: Child | None = None
        self.config = ServeConfig()
        self.base_url = ""
        self.package = Package("", "", 0)
        self.dates = DateBook(dt.date.today(), (), 0)
        self.starts = 0
        self.quiet_since = 0.0

    @property
    def pid(self) -> int:
        assert self._child is not None, "the server is not running"
        return self._child.pid

    def environment(self, config: ServeConfig, database_url: str) -> dict[str, str]:
        return service_environment(database_url, self._stripe.base_url, self._mail_dir,
                                   self._sink.endpoint if config.tracing else None)

    async def ensure(self, config: ServeConfig, dates: int = 0) -> None:
        """Running as `config` with at least `dates` unused dates; else start over, fresh."""
        running = self._child is not None and self._child.alive()
        if running and self.config == config and self.dates.remaining() >= dates:
            return
        await self.fresh(config)

    async def fresh(self, config: ServeConfig, served_url: str | None = None) -> None:
        """A new database and a new server. `served_url` is the database address the server
        is given (the round-trip proxy); the bench's own reads go straight to PostgreSQL."""
        await self.stop()
        await databases.recreate(self.database_url, template=self._template)
        self.config = config
        port = free_port()
        self.base_url = f"http://127.0.0.1:{port}"
        self.starts += 1
        self._child = self._children.spawn(
            f"elope-{self.starts}",
            [ELOPE, "serve", "--host", "127.0.0.1", "--port", str(port),
             "--workers", str(config.workers)],
            self.environment(config, served_url or self.database_url))
        await wait_ready(self._child, f"{self.base_url}/health/ready", timeout_seconds=60)
        self.package = await self._package()
        closed = await databases.blackout_dates(self.database_url)
        self.dates = DateBook(dt.datetime.now(dt.UTC).date(), closed, BOOKABLE_DAYS)
        self.quiet_since = time.time()  # the readiness polls and catalog reads made spans

    def log_tail(self, lines: int = 25) -> str:
        """The end of the server's stderr: where a 500 says what went wrong."""
        return self._child.stderr_tail(lines) if self._child is not None else ""

    async def _package(self) -> Package:
        """The first package of the catalog, as a couple would find it."""
        async with aiohttp.ClientSession(self.base_url) as http:
            async with http.get("/v1/packages") as answer:
                answer.raise_for_status()
                slug = (await answer.json())[0]["slug"]
            async with http.get(f"/v1/packages/{slug}") as answer:
                answer.raise_for_status()
                package = await answer.json()
        return Package(package["id"], package["slug"], int(package["priceCents"]))

    async def settle(self) -> float:
        """Wait until the relay has delivered every outbox message; seconds waited. The work
        a phase causes is not over at its last answer: the confirmation emails follow."""
        try:
            return await databases.wait_outbox_drained(self.database_url)
        except TimeoutError as stalled:
            raise BenchFailed(f"the outbox relay is stuck ({stalled}); the end of the"
                              f" server's stderr:\n{self.log_tail()}") from None

    async def stop(self) -> None:
        """Stop the server, off the event loop: its shutdown may need the round-trip proxy,
        which runs on that loop."""
        if self._child is not None:
            child, self._child = self._child, None
            await asyncio.to_thread(self._children.stop, child)
