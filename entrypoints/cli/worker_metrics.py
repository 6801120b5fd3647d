"""Where the workers of one `elope serve --workers N` keep their metrics, so that whichever
worker answers GET /metrics reports the whole instance (adapters/telemetry/worker_totals.py).

prometheus_client decides when it is first imported whether a process keeps its values in
files under PROMETHEUS_MULTIPROC_DIR. This parent imported it long before, without; that does
not matter: its workers are started with "spawn" (by the supervisor and by uvicorn alike), new
interpreters that import it afresh with the environment the parent has when it starts them.

One directory per instance, new and empty: files left by an earlier run would be added to
this one's counts, and two instances sharing one would report each other's."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from prometheus_client.multiprocess import mark_process_dead

SHARED_DIRECTORY = "PROMETHEUS_MULTIPROC_DIR"


@contextmanager
def shared_metrics_directory() -> Iterator[Path]:
    """A new, empty directory (mode 0700), named in the environment the workers started
    inside this block inherit; removed, with the workers' files, when the block ends."""
    directory = Path(tempfile.mkdtemp(prefix="elope-metrics-"))
    os.environ[SHARED_DIRECTORY] = str(directory)
    try:
        yield directory
    finally:
        # This process keeps no metrics in files; nothing started after this block may.
        os.environ.pop(SHARED_DIRECTORY, None)
        shutil.rmtree(directory, ignore_errors=True)


def forget_worker(directory: Path, pid: int) -> None:
    """A worker that ended: its live gauges go, as a dead process has no live reading. Its
    counters and histograms stay in the instance's totals; without them the totals would go
    down, which Prometheus takes for a reset."""
    mark_process_dead(pid, str(directory))  # type: ignore[no-untyped-call]  # unannotated upstream
