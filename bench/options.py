"""The command line, and how many requests each phase sends (full run or --quick)."""

from __future__ import annotations

import argparse
from dataclasses import dataclass

DEFAULT_DATABASE_URL = "postgresql://postgres@127.0.0.1:5432/elope_bench"


@dataclass(frozen=True)
class Counts:
    """Requests per phase. Sized so the full run takes about a quarter of an hour on two cores
    and --quick about a minute; every count is at least what a stable p99 needs."""

    webhooks: dict[int, int]  # concurrency -> paid webhooks, each for its own date
    warmup: int  # calls sent before each timed phase, outside the clock
    reads: int  # per read kind at c=32
    reads_c1: int  # per read kind at c=1
    checkouts: int
    checkout_concurrency: int
    one_date_sessions: int  # paid sessions for one date, sent at once
    aging_total: int  # webhooks the process has handled before the late window
    aging_window: tuple[int, int]  # the early window: webhooks [first, last) since start
    aging_late: int  # webhooks in the late window
    aging_concurrency: int
    compare_workers: int  # webhooks at c=32 per worker count
    round_trips: int  # requests of each kind in the round-trip pass


FULL = Counts(
    webhooks={1: 400, 8: 2000, 32: 2000, 64: 2000}, warmup=50, reads=2000, reads_c1=400,
    checkouts=600, checkout_concurrency=8, one_date_sessions=64, aging_total=10_000,
    aging_window=(100, 600), aging_late=500, aging_concurrency=8, compare_workers=2000,
    round_trips=20,
)
QUICK = Counts(
    webhooks={1: 50, 8: 200, 32: 200, 64: 200}, warmup=10, reads=300, reads_c1=50,
    checkouts=50, checkout_concurrency=8, one_date_sessions=64, aging_total=800,
    aging_window=(50, 200), aging_late=150, aging_concurrency=8, compare_workers=200,
    round_trips=6,
)


@dataclass(frozen=True)
class Options:
    quick: bool
    tracing: tuple[str, ...]  # the modes phases (a) and (b) run in: "off", "otlp"
    workers: int
    compare_workers: bool
    database_url: str
    profile: bool

    @property
    def counts(self) -> Counts:
        return QUICK if self.quick else FULL

    @property
    def base_tracing(self) -> str:
        """The mode of every other phase (and of the target rows): off, unless only otlp."""
        return "off" if "off" in self.tracing else "otlp"


def parse_options(argv: list[str]) -> Options:
    parser = argparse.ArgumentParser(
        prog="python -m bench",
        description="Elope's benchmark: the real preset on PostgreSQL, driven over HTTP, next"
                    " to a bare-asyncpg and a bare-Litestar floor.")
    parser.add_argument("--quick", action="store_true",
                        help="small counts: a smoke run of about a minute")
    parser.add_argument("--tracing", choices=("off", "otlp", "both"), default="both",
                        help="webhook and read phases without tracing, with OTLP export to a"
                             " local sink, or both (default)")
    parser.add_argument("--workers", type=int, default=1,
                        help="`elope serve --workers N` for every phase (default 1)")
    parser.add_argument("--compare-workers", action=argparse.BooleanOptionalAction, default=True,
                        help="run the webhook c=32 phase with 1 and 2 workers (default on)")
    parser.add_argument("--database-url", default=DEFAULT_DATABASE_URL,
                        help="a THROWAWAY database: dropped and recreated, more than once"
                             f" (default {DEFAULT_DATABASE_URL}); <name>_template and"
                             " <name>_floor beside it are too")
    parser.add_argument("--profile", action="store_true",
                        help="an extra webhook c=32 phase under py-spy; speedscope file in"
                             " bench/out/")
    args = parser.parse_args(argv)
    if args.workers < 1:
        parser.error("--workers must be at least 1")
    modes = ("off", "otlp") if args.tracing == "both" else (args.tracing,)
    return Options(quick=args.quick, tracing=modes, workers=args.workers,
                   compare_workers=args.compare_workers, database_url=args.database_url,
                   profile=args.profile)
