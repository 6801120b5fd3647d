"""The processes the benchmark starts: servers, fakes, the sink, the profiler.

Each runs in a process group of its own, so stopping it stops what it started too (uvicorn's
workers), and writes its output to files, so a chatty child can never block on a full pipe.
Every child is registered; `Children.stop_all` runs on any exit - normal, exception, Ctrl-C,
SIGTERM - and a child that fails to start has its stderr printed.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Mapping, Sequence
from pathlib import Path

import aiohttp

REPO = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
ELOPE = str(Path(PYTHON).with_name("elope"))


def free_port() -> int:
    """A port nothing listens on right now, for the next child to take."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class BenchFailed(RuntimeError):
    """The run cannot go on (a server misbehaves); the message says where to look."""


class StartFailed(BenchFailed):
    """A child exited or did not become ready; the message ends with its stderr."""


class Child:
    """One started process, its output in `<log_dir>/<name>.out|.err`."""

    def __init__(self, name: str, argv: Sequence[str], env: Mapping[str, str], log_dir: Path) -> None:
        self.name = name
        self.argv = list(argv)
        self._stdout = log_dir / f"{name}.out"
        self._stderr = log_dir / f"{name}.err"
        with self._stdout.open("wb") as out, self._stderr.open("wb") as err:
            # A new session: the child and everything it forks share one group we can stop.
            self.process = subprocess.Popen(self.argv, env=dict(env), cwd=REPO, stdout=out,
                                            stderr=err, stdin=subprocess.DEVNULL,
                                            start_new_session=True)

    @property
    def pid(self) -> int:
        return self.process.pid

    def alive(self) -> bool:
        return self.process.poll() is None

    def stderr_tail(self, lines: int = 40) -> str:
        text = self._stderr.read_text(errors="replace") if self._stderr.exists() else ""
        return "\n".join(text.splitlines()[-lines:])

    def failure(self, why: str) -> StartFailed:
        return StartFailed(f"{self.name} {why}; its stderr ({self._stderr}):\n{self.stderr_tail()}")

    def signal_group(self, signum: int) -> None:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.pid, signum)

    def stop(self, grace_seconds: float = 10.0) -> None:
        """SIGTERM to the group (uvicorn shuts down gracefully), SIGKILL if it lingers."""
        if self.alive():
            self.signal_group(signal.SIGTERM)
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.process.wait(timeout=grace_seconds)
        # Also after a clean exit of the leader: a worker it left behind is still in the group.
        self.signal_group(signal.SIGKILL)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(timeout=5)


class Children:
    """Every process the run started, stopped newest first."""

    def __init__(self, log_dir: Path) -> None:
        self.log_dir = log_dir
        self._running: list[Child] = []

    def spawn(self, name: str, argv: Sequence[str], env: Mapping[str, str] | None = None) -> Child:
        child = Child(name, argv, env if env is not None else os.environ, self.log_dir)
        self._running.append(child)
        return child

    def stop(self, child: Child) -> None:
        child.stop()
        if child in self._running:
            self._running.remove(child)

    def stop_all(self) -> None:
        while self._running:
            self.stop(self._running[-1])


async def run_to_end(name: str, argv: Sequence[str], env: Mapping[str, str]) -> str:
    """Run a short command (migrate, seed) to completion; its stdout, or StartFailed."""
    process = await asyncio.create_subprocess_exec(
        *argv, env=dict(env), cwd=REPO, stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE)
    out, err = await process.communicate()
    if process.returncode != 0:
        raise StartFailed(f"{name} exited with {process.returncode}; its stderr:\n"
                          f"{err.decode(errors='replace')}")
    return out.decode(errors="replace")


async def wait_ready(child: Child, url: str, timeout_seconds: float = 30.0) -> None:
    """Poll `url` until it answers 200; StartFailed (with stderr) if the child dies first."""
    deadline = time.monotonic() + timeout_seconds
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=2)) as http:
        while True:
            if not child.alive():
                raise child.failure(f"exited with {child.process.returncode} before it was ready")
            with contextlib.suppress(aiohttp.ClientError, TimeoutError):
                async with http.get(url) as answer:
                    if answer.status == 200:
                        return
            if time.monotonic() > deadline:
                raise child.failure(f"did not answer 200 at {url} within {timeout_seconds:.0f} s")
            await asyncio.sleep(0.1)


def stop_on_signals() -> None:
    """SIGTERM and SIGHUP end the run the way Ctrl-C does, so the same cleanup runs."""
    def interrupt(signum: int, _frame: object) -> None:
        raise KeyboardInterrupt(f"signal {signum}")

    # Ctrl-C too, even when started from a shell that ignores it for background jobs.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    for signum in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, interrupt)
