"""The machine line of the report: what the figures were measured on, and how much of it
other work took meanwhile (every figure here shares two cores with whatever else runs)."""

from __future__ import annotations

import contextlib
import os
import platform
import time
from dataclasses import dataclass
from pathlib import Path

import psutil


def cpu_model() -> str:
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return platform.processor() or platform.machine()


def load_average() -> str:
    """The 1-minute load: other work on the machine skews every figure, so say how much."""
    try:
        return f"{os.getloadavg()[0]:.2f}"
    except OSError:
        return "?"


def machine_line(postgres_version: str) -> str:
    return (f"{cpu_model()}, {os.cpu_count()} cores, Python {platform.python_version()},"
            f" PostgreSQL {postgres_version}, {platform.system()} {platform.release()}")


def _postgres_seconds() -> float:
    """CPU of the PostgreSQL server so far: the postmaster, its live backends, and the
    backends that exited (counted in the postmaster's reaped-children times)."""
    total = 0.0
    for process in psutil.process_iter(["name", "ppid"]):
        with contextlib.suppress(psutil.Error):
            if process.info["name"] not in ("postgres", "postmaster"):
                continue
            times = process.cpu_times()
            total += times.user + times.system
            parent = psutil.Process(process.info["ppid"]) if process.info["ppid"] else None
            if parent is None or parent.name() not in ("postgres", "postmaster"):
                total += times.children_user + times.children_system
    return total


def _busy_seconds() -> float:
    times = psutil.cpu_times()
    return float(sum(times) - times.idle - getattr(times, "iowait", 0.0))


def _own_seconds() -> float:
    """This process and every child it has waited for (the servers, once stopped)."""
    times = os.times()
    return times.user + times.system + times.children_user + times.children_system


@dataclass(frozen=True)
class CpuShare:
    """Where the machine's CPU went between two moments."""

    wall: float
    busy: float
    own: float
    postgres: float

    @classmethod
    def now(cls) -> CpuShare:
        return cls(time.monotonic(), _busy_seconds(), _own_seconds(), _postgres_seconds())

    def since(self, start: CpuShare) -> str:
        capacity = (self.wall - start.wall) * (os.cpu_count() or 1) / 100  # seconds per 1 %
        busy, own = self.busy - start.busy, self.own - start.own
        postgres = self.postgres - start.postgres
        return (f"the machine's CPU was {busy / capacity:.0f} % busy: the benchmark and its"
                f" servers {own / capacity:.0f} %, PostgreSQL (every database on it)"
                f" {postgres / capacity:.0f} %, other processes"
                f" {max(0.0, busy - own - postgres) / capacity:.0f} %")
