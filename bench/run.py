"""The benchmark from start to end: which phase runs when, and the summary.

The round-trip pass runs first, so every later row can show its figure. Each concurrency
level of the webhook phase is followed at once by the bare-asyncpg floor at the same level,
and the reads by the bare-Litestar floor: a floor is measured back to back with what it is
compared to, under the same load on the machine.
"""

from __future__ import annotations

import atexit
import tempfile
import time
from pathlib import Path

from bench import databases
from bench.aging import aging
from bench.checkout import checkouts
from bench.children import Children
from bench.machine import CpuShare, load_average, machine_line
from bench.one_date import one_date
from bench.options import Options
from bench.profiler import profiled_webhooks
from bench.reads import reads
from bench.redeliveries import redeliveries
from bench.report import summary
from bench.rig import Rig
from bench.round_trips import round_trips
from bench.targets import Findings, judge
from bench.webhooks import compare_workers, webhook_levels


async def _phases(rig: Rig, children: Children) -> Findings:
    findings = Findings()
    await round_trips(rig)
    # The base mode last, so the phases after it find its server running.
    for mode in sorted(rig.options.tracing, key=lambda m: m == rig.options.base_tracing):
        floors = mode == rig.options.base_tracing  # the floors once, beside the base mode
        await webhook_levels(rig, mode, with_floor=floors)
        await reads(rig, mode, with_floor=floors)
    await checkouts(rig)
    findings.one_date = await one_date(rig)
    await redeliveries(rig)
    if rig.options.compare_workers:
        findings.workers_ratio = await compare_workers(rig)
    findings.aging = await aging(rig)
    if rig.options.profile:
        await profiled_webhooks(rig, children)
    return findings


async def run(options: Options) -> int:
    """Run every phase; 0 when every answer and every database check was right."""
    work_dir = Path(tempfile.mkdtemp(prefix="elope-bench-"))
    children = Children(work_dir)
    # The last resort; the `finally` below normally stops everything first.
    atexit.register(children.stop_all)
    started, cpu_at_start = time.monotonic(), CpuShare.now()
    try:
        postgres = await databases.server_version(
            databases.with_database(options.database_url, "postgres"))
        machine = machine_line(postgres)
        print(f"Elope benchmark ({'quick' if options.quick else 'full'} run): {machine};"
              f" load average {load_average()} at start; tracing {', '.join(options.tracing)};"
              f" {options.workers} worker(s); logs in {work_dir}", flush=True)
        rig = await Rig.start(options, children, work_dir)
        findings = await _phases(rig, children)
    finally:
        children.stop_all()
    targets = judge(rig, findings)
    minutes = (time.monotonic() - started) / 60
    print(f"\n## Summary ({'quick' if options.quick else 'full'} run, {minutes:.1f} min,"
          f" load average {load_average()} at the end)\n")
    print(summary(machine, targets))
    print(f"\nDuring the run {CpuShare.now().since(cpu_at_start)}.")
    errors = sum(len(row.measured.outcome.errors) for row in rig.report.rows)
    wrong = [row for row in rig.report.rows if any("WRONG" in note for note in row.notes)]
    print(f"\nErrors in all phases: {errors}; database checks failed: {len(wrong)}"
          + (f" (the servers' logs are in {work_dir})" if errors or wrong else ""))
    return 1 if errors or wrong else 0
