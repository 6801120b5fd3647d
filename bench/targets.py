"""The issue's targets, judged on this run's figures (tracing as the run's base mode)."""

from __future__ import annotations

from dataclasses import dataclass

from bench.aging import AgingResult
from bench.one_date import OneDateVerdict
from bench.report import Row, Target
from bench.rig import Rig

# "The same" CPU per webhook late and early: within this factor.
SAME_CPU = 1.10


@dataclass
class Findings:
    """What the phases that are not a single row found."""

    workers_ratio: float | None = None
    aging: AgingResult | None = None
    one_date: OneDateVerdict | None = None


def _share(elope: Row | None, floor: Row | None) -> float | None:
    if elope is None or floor is None or floor.throughput <= 0:
        return None
    return elope.throughput / floor.throughput


def _percent(name: str, wanted: float, elope: Row | None, floor: Row | None) -> Target:
    share = _share(elope, floor)
    if share is None or elope is None or floor is None:
        return Target(name, f">= {wanted:.0%}", "not measured", None)
    return Target(name, f">= {wanted:.0%}",
                  f"{share:.0%} ({elope.throughput:,.0f} / {floor.throughput:,.0f} req/s)",
                  share >= wanted)


def _latency(name: str, q: int, below_ms: float, row: Row | None) -> Target:
    if row is None:
        return Target(name, f"< {below_ms:g} ms", "not measured", None)
    value = row.measured.outcome.percentile(q)
    return Target(name, f"< {below_ms:g} ms", f"{value:.2f} ms", value < below_ms)


def judge(rig: Rig, findings: Findings) -> list[Target]:
    round_trips = rig.round_trips.get("webhook")
    ratio, aging, one_date = findings.workers_ratio, findings.aging, findings.one_date
    rss = max((r.measured.rss_mb_per_worker for r in rig.report.rows if r.server == "elope"),
              default=None)
    return [
        _percent("webhook throughput at c=32, share of bare asyncpg", 0.40,
                 rig.find("webhook", "elope", 32), rig.find("webhook", "bare asyncpg", 32)),
        _latency("webhook p95 at c=1", 95, 5, rig.find("webhook", "elope", 1)),
        _latency("webhook p99 at c=32", 99, 100, rig.find("webhook", "elope", 32)),
        Target("SQL round trips per booking webhook", "<= 10",
               "not measured" if round_trips is None else f"{round_trips:.1f}",
               None if round_trips is None else round_trips <= 10),
        _percent("availability throughput at c=32, share of bare Litestar", 0.50,
                 rig.find("availability", "elope", 32),
                 rig.find("availability", "bare litestar", 32)),
        Target("--workers 2 vs 1, webhooks at c=32", ">= 1.6x",
               "not measured" if ratio is None else f"{ratio:.2f}x",
               None if ratio is None else ratio >= 1.6),
        Target(f"CPU per webhook after {rig.counts.aging_total:,} vs early",
               f"same (<= {SAME_CPU:.2f}x)",
               "not measured" if aging is None else
               f"{aging.ratio:.2f}x ({aging.late.measured.cpu_ms_per_request:.2f} vs"
               f" {aging.early.measured.cpu_ms_per_request:.2f} ms)",
               None if aging is None else aging.ratio <= SAME_CPU),
        Target("RSS per worker (largest seen)", "< 150 MB",
               "not measured" if rss is None else f"{rss:.0f} MB",
               None if rss is None else rss < 150),
        Target("64 sessions for one date", "1 booking, 63 refunds",
               "not measured" if one_date is None else
               f"{one_date.describe()}, in {one_date.settled_ms:.0f} ms",
               None if one_date is None else one_date.ok),
    ]
