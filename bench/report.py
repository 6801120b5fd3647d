"""What the benchmark prints: one Markdown table row per phase, as each phase ends, and the
summary of targets at the end - both ready to paste into the README."""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field

from bench.measure import Measured

COLUMNS = ("phase", "server", "tracing", "workers", "c", "requests", "req/s", "p50 ms", "p95 ms",
           "p99 ms", "errors", "CPU ms/req", "RSS MB/worker", "SQL RT/req", "spans/req", "notes")


def number(value: float | None, digits: int = 1) -> str:
    if value is None or math.isnan(value):
        return "-"
    return f"{value:,.{digits}f}"


@dataclass
class Row:
    phase: str
    server: str
    measured: Measured
    concurrency: int
    tracing: str = "off"
    workers: int = 1
    round_trips: float | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def throughput(self) -> float:
        return self.measured.outcome.throughput

    def cells(self) -> list[str]:
        m, outcome = self.measured, self.measured.outcome
        notes = list(self.notes)
        if outcome.errors:
            notes.append(f"errors: {outcome.error_summary()}")
        return [self.phase, self.server, self.tracing, str(self.workers), str(self.concurrency),
                str(outcome.requests), number(outcome.throughput, 0),
                number(outcome.percentile(50), 2), number(outcome.percentile(95), 2),
                number(outcome.percentile(99), 2), str(len(outcome.errors)),
                number(m.cpu_ms_per_request, 2), number(m.rss_mb_per_worker, 0),
                number(self.round_trips), number(m.spans_per_request), "; ".join(notes)]


def markdown_row(cells: list[str]) -> str:
    return "| " + " | ".join(cell.replace("|", "/") for cell in cells) + " |"


class Report:
    """Prints rows as they come, under a header per section, and keeps them."""

    def __init__(self) -> None:
        self.rows: list[Row] = []
        self._started = time.monotonic()

    def section(self, title: str) -> None:
        minutes, seconds = divmod(int(time.monotonic() - self._started), 60)
        print(f"\n### {title} (at {minutes}:{seconds:02d})\n", flush=True)
        print(markdown_row(list(COLUMNS)))
        print(markdown_row(["---"] * len(COLUMNS)), flush=True)

    def add(self, row: Row) -> Row:
        self.rows.append(row)
        print(markdown_row(row.cells()), flush=True)
        return row

    @staticmethod
    def say(text: str) -> None:
        print(text, flush=True)

    def span_names(self, what: str, row: Row) -> None:
        """Which spans one request exported, by name: what tracing costs is made of these."""
        names = row.measured.span_names
        if names:
            listed = ", ".join(f"{name!r} {n:.1f}" for name, n in names.items())
            self.say(f"\nSpans per {what} (c={row.concurrency}), by name: {listed}")


@dataclass(frozen=True)
class Target:
    """A target of the issue: what it asks, what the run measured, whether it is met."""

    name: str
    wanted: str
    measured: str
    met: bool | None  # None: not measured in this run

    def cells(self) -> list[str]:
        verdict = "-" if self.met is None else ("PASS" if self.met else "MISS")
        return [self.name, self.wanted, self.measured, verdict]


def summary(machine: str, targets: list[Target]) -> str:
    lines = [f"Machine: {machine}", "", markdown_row(["target", "wanted", "measured", "verdict"]),
             markdown_row(["---"] * 4)]
    lines += [markdown_row(t.cells()) for t in targets]
    return "\n".join(lines)
