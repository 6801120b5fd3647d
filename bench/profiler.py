"""--profile: py-spy samples the server (every worker) during an extra webhook c=32 phase
and writes a speedscope file under bench/out/ (open it at https://www.speedscope.app).

Sampling costs the server CPU, so the profiled phase is a row of its own, never the one the
targets are judged on.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
import subprocess
import time
from pathlib import Path

from bench.children import PYTHON, Child, Children
from bench.report import Row
from bench.rig import Rig
from bench.webhooks import elope_webhooks

OUT = Path(__file__).resolve().parent / "out"
PY_SPY = str(Path(PYTHON).with_name("py-spy"))


async def _stop(children: Children, spy: Child) -> None:
    """Ctrl-C is how py-spy is told to stop sampling and write its file."""
    spy.signal_group(signal.SIGINT)
    with contextlib.suppress(subprocess.TimeoutExpired):
        await asyncio.to_thread(spy.process.wait, 60)
    children.stop(spy)


async def profiled_webhooks(rig: Rig, children: Children) -> Row:
    rig.report.section("--profile: paid webhooks at c=32 under py-spy (slower than unprofiled)")
    requests = rig.counts.webhooks[32]
    config = rig.config()
    await rig.elope.ensure(config, dates=rig.counts.warmup + requests)
    OUT.mkdir(exist_ok=True)
    output = OUT / f"webhook-c32-{time.strftime('%Y%m%d-%H%M%S')}.speedscope.json"
    spy = children.spawn("py-spy", [PY_SPY, "record", "--pid", str(rig.elope.pid), "--subprocesses",
                                    "--format", "speedscope", "--rate", "200", "--output",
                                    str(output)])
    await asyncio.sleep(1.0)  # attached before the first request
    if not spy.alive():
        raise spy.failure("could not attach to the server")
    try:
        row = await elope_webhooks(rig, 32, requests, config, phase="webhook (profiled)")
    finally:
        await _stop(children, spy)
    rig.report.say(f"\nProfile: {output.relative_to(OUT.parent.parent)}"
                   if output.exists() else f"\npy-spy wrote no profile:\n{spy.stderr_tail()}")
    return row
