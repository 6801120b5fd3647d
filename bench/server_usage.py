"""What a server process costs: CPU time and resident memory, read with psutil.

A server is its process and everything under it: `elope serve --workers 2` is a uvicorn
supervisor and two worker processes. CPU is summed over all of them (user + system time);
memory is reported per worker, since that is what the worker count multiplies.
"""

from __future__ import annotations

import contextlib

import psutil

CpuTimes = dict[int, float]  # pid -> user + system seconds so far


class ServerUsage:
    def __init__(self, pid: int) -> None:
        self._root = psutil.Process(pid)

    def _processes(self) -> list[psutil.Process]:
        try:
            return [self._root, *self._root.children(recursive=True)]
        except psutil.NoSuchProcess:
            return []

    def cpu(self) -> CpuTimes:
        times: CpuTimes = {}
        for process in self._processes():
            with contextlib.suppress(psutil.NoSuchProcess):
                spent = process.cpu_times()
                times[process.pid] = spent.user + spent.system
        return times

    def cpu_seconds_since(self, before: CpuTimes) -> float:
        """CPU the server spent since `before`, a process started meanwhile counting in full."""
        now = self.cpu()
        return sum(spent - before.get(pid, 0.0) for pid, spent in now.items())

    def workers(self) -> list[psutil.Process]:
        """The processes that serve requests: uvicorn's spawned workers, or the one process."""
        spawned = []
        for process in self._processes()[1:]:
            with contextlib.suppress(psutil.NoSuchProcess):
                if "spawn_main" in " ".join(process.cmdline()):
                    spawned.append(process)
        return spawned or [self._root]

    def rss_per_worker_mb(self) -> float:
        """The largest resident set among the workers, in MB."""
        sizes = []
        for process in self.workers():
            with contextlib.suppress(psutil.NoSuchProcess):
                sizes.append(process.memory_info().rss / 1_000_000)
        return max(sizes, default=0.0)
