"""Everything a phase works with: the options, the report, and the processes of the run."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from pathlib import Path

from bench import databases
from bench.children import Children
from bench.elope_server import ElopeServer, ServeConfig, prepare_template, service_environment
from bench.floors import AsyncpgFloor, LitestarFloor
from bench.options import Counts, Options
from bench.otlp_sink import OtlpSink
from bench.report import Report, Row
from bench.stripe_fake import StripeFakeProcess


@dataclass
class Rig:
    options: Options
    report: Report
    stripe: StripeFakeProcess
    sink: OtlpSink
    elope: ElopeServer
    asyncpg_floor: AsyncpgFloor
    litestar_floor: LitestarFloor
    # SQL round trips per request kind, from the round-trip pass (run first).
    round_trips: dict[str, float] = field(default_factory=dict)

    @classmethod
    async def start(cls, options: Options, children: Children, work_dir: Path) -> Rig:
        """The fake Stripe, the OTLP sink and the template database, which serve the whole
        run; the servers start when a phase first needs them."""
        stripe = StripeFakeProcess(children)
        sink = OtlpSink(children)
        name = databases.database_name(options.database_url)
        template_env = service_environment(
            databases.with_database(options.database_url, f"{name}_template"), stripe.base_url,
            work_dir / "mail")
        _, _, template = await asyncio.gather(stripe.start(), sink.start(),
                                              prepare_template(template_env))
        return cls(
            options=options, report=Report(), stripe=stripe, sink=sink,
            elope=ElopeServer(children, options.database_url, template, stripe, sink, work_dir),
            asyncpg_floor=AsyncpgFloor(
                children, databases.with_database(options.database_url, f"{name}_floor"), template),
            litestar_floor=LitestarFloor(children),
        )

    @property
    def counts(self) -> Counts:
        return self.options.counts

    def config(self, tracing: str | None = None, workers: int | None = None) -> ServeConfig:
        """How the service runs for a phase: the run's defaults unless the phase says."""
        mode = tracing or self.options.base_tracing
        return ServeConfig(tracing=mode == "otlp", workers=workers or self.options.workers)

    def find(self, phase: str, server: str, concurrency: int, tracing: str | None = None,
             workers: int | None = None) -> Row | None:
        """The first row measured for this phase, server, concurrency and configuration."""
        tracing = tracing or (self.options.base_tracing if server == "elope" else "-")
        workers = workers or (self.options.workers if server == "elope" else 1)
        for row in self.report.rows:
            if (row.phase, row.server, row.concurrency, row.tracing, row.workers) == (
                    phase, server, concurrency, tracing, workers):
                return row
        return None
