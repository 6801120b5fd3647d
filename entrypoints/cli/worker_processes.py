"""`elope serve --workers N` (N > 1) on Linux: N uvicorn worker processes, each listening on a
socket of its own bound to the same port (SO_REUSEPORT), under a small parent that replaces a
worker that dies and stops them all on SIGTERM or SIGINT.

Why not uvicorn's own workers: they share one listening socket, and whichever worker wakes
first accepts most of a burst of new keep-alive connections (15 of 16 measured), leaving the
other idle for as long as those connections live. With a socket per worker, Linux hashes each
new connection to one of the sockets, so connections - and the load they carry - are spread.

The trade-off: connections the kernel has queued on a worker's socket, but that worker has not
accepted yet, are reset when it stops (a crash, or the shutdown), where a shared socket would
have left them to the other workers. Linux can hand them to a sibling socket instead
(sysctl net.ipv4.tcp_migrate_req = 1; off by default).
"""

from __future__ import annotations

import contextlib
import errno
import multiprocessing
import os
import signal
import socket
import sys
import threading
import time
from dataclasses import dataclass
from multiprocessing.connection import wait
from multiprocessing.process import BaseProcess
from pathlib import Path
from types import FrameType

import uvicorn

from entrypoints.cli.worker_metrics import forget_worker

APP = "entrypoints.asgi:create_asgi_app"
# Off: uvicorn would otherwise believe X-Forwarded-For from 127.0.0.1 (FORWARDED_ALLOW_IPS)
# and hand the app whatever a local client wrote there as its address. The app decides whom
# to believe, from TRUSTED_PROXIES (entrypoints/http/client_address.py).
PROXY_HEADERS = False
# A worker that dies sooner than this after its start most likely cannot start at all (the
# database is unreachable, the code is broken): it is replaced after a growing pause, and after
# a few such deaths in a row the service gives up rather than spin. One that lived longer is
# replaced at once.
QUICK_DEATH_SECONDS = 10.0
QUICK_DEATHS_BEFORE_GIVING_UP = 4
FIRST_PAUSE_SECONDS = 0.5
# The longest the parent sleeps without looking at its workers; a signal can arrive while only
# a pause is pending and no worker is left to wake it.
POLL_SECONDS = 1.0


def spreads_connections() -> bool:
    """Whether one socket per worker spreads connections here. Linux balances new connections
    across SO_REUSEPORT sockets; macOS and most BSDs accept the option but give every
    connection to one socket, so there uvicorn's shared socket is the better choice."""
    return sys.platform.startswith("linux") and hasattr(socket, "SO_REUSEPORT")


def bound_socket(host: str, port: int, *, reuse_port: bool) -> socket.socket:
    """A TCP socket bound to host:port but not listening: uvicorn calls listen() once the app
    has started, so the kernel sends no connection to a worker that cannot answer yet."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # IPPROTO_TCP rather than 0: asyncio sets TCP_NODELAY on an accepted connection only when
    # the listening socket says TCP (uvloop sets it on every TCP connection).
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        if reuse_port:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        sock.bind((host, port))
    except BaseException:
        sock.close()
        raise
    return sock


def unavailable(host: str, port: int) -> str | None:
    """Why nothing can listen on host:port, or None. Tried without SO_REUSEPORT, so a port that
    another server listens on - another `elope serve --workers N` too - counts as taken."""
    try:
        bound_socket(host, port, reuse_port=False).close()
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            return (f"port {port} on {host} is already in use: stop what listens there, or"
                    " choose another port with --port or API_PORT")
        if exc.errno == errno.EACCES:
            return (f"cannot listen on {host}:{port} ({exc.strerror}): ports below 1024 need"
                    " privileges; choose another port with --port or API_PORT")
        return (f"cannot listen on {host}:{port} ({exc.strerror or exc}): choose an address"
                " of this machine with --host or API_HOST, and a port with --port or API_PORT")
    return None


@dataclass(frozen=True)
class WorkerPlan:
    """What every worker is started with (pickled to it: the "spawn" start method)."""

    host: str
    port: int
    loop: str
    http: str


def run_worker(plan: WorkerPlan, parent: int) -> None:
    """One worker process: the app under uvicorn, on a socket of its own. uvicorn handles
    SIGTERM (and SIGINT) itself: it stops accepting, finishes the requests under way, and runs
    the app's shutdown."""
    sock = bound_socket(plan.host, plan.port, reuse_port=True)
    server = uvicorn.Server(uvicorn.Config(
        APP, factory=True, host=plan.host, port=plan.port, loop=plan.loop, http=plan.http,
        log_config=None, access_log=False, proxy_headers=PROXY_HEADERS))
    threading.Thread(target=_stop_when_orphaned, args=(server, parent), daemon=True).start()
    # uvicorn raises the SIGINT it handled again once it has shut down (a terminal's Ctrl+C
    # reaches every process in the group); the shutdown is done, so end without a traceback.
    with contextlib.suppress(KeyboardInterrupt):
        server.run(sockets=[sock])


def _stop_when_orphaned(server: uvicorn.Server, parent: int) -> None:
    # A parent killed outright (SIGKILL, the OOM killer) cannot stop its workers; without this
    # they would keep the port and serve on, unsupervised.
    while os.getppid() == parent:
        time.sleep(1.0)
    server.should_exit = True


@dataclass
class _Slot:
    """One of the N workers: its current process, and how it has been dying."""

    number: int
    process: BaseProcess | None = None
    started_at: float = 0.0
    quick_deaths: int = 0
    restart_at: float | None = None


class Supervisor:
    """The parent: starts the workers, replaces one that dies, and stops them on a signal.
    The workers keep their metrics in `metrics_directory` (worker_metrics.py)."""

    def __init__(self, plan: WorkerPlan, workers: int, metrics_directory: Path) -> None:
        self._plan = plan
        self._metrics_directory = metrics_directory
        self._context = multiprocessing.get_context("spawn")
        self._slots = [_Slot(number) for number in range(1, workers + 1)]
        self._signals = 0
        self._exit_code = 0

    def run(self) -> int:
        """Serve until SIGTERM or SIGINT (0 once every worker has stopped), or until workers
        keep dying as they start (1)."""
        handled = (signal.SIGTERM, signal.SIGINT)
        previous = {sig: signal.signal(sig, self._on_signal) for sig in handled}
        try:
            for slot in self._slots:
                self._start(slot)
            return self._watch()
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)

    @property
    def _stopping(self) -> bool:
        return self._signals > 0 or self._exit_code != 0

    def _on_signal(self, sig: int, frame: FrameType | None) -> None:
        self._signals += 1
        # SIGTERM is uvicorn's graceful shutdown; SIGINT after it is its "stop now", sent only
        # when asked twice - as a second Ctrl+C does to a single uvicorn.
        self._send(signal.SIGTERM if self._signals == 1 else signal.SIGINT)

    def _send(self, sig: int) -> None:
        for slot in self._slots:
            if slot.process is not None and slot.process.pid is not None:
                # One that died meanwhile is reaped by the watch loop.
                with contextlib.suppress(ProcessLookupError):
                    os.kill(slot.process.pid, sig)

    def _start(self, slot: _Slot) -> None:
        # daemon: should this parent itself fail, multiprocessing stops the workers at its exit.
        process = self._context.Process(target=run_worker, args=(self._plan, os.getpid()),
                                        name=f"elope-worker-{slot.number}", daemon=True)
        process.start()
        slot.process, slot.started_at, slot.restart_at = process, time.monotonic(), None
        if self._stopping:  # the signal came while it was being started, so it was not told
            self._send(signal.SIGTERM)

    def _watch(self) -> int:
        while True:
            live = [slot.process.sentinel for slot in self._slots if slot.process is not None]
            if self._stopping and not live:
                return self._exit_code
            wait(live, timeout=self._pause())
            for slot in self._slots:
                if slot.process is not None and not slot.process.is_alive():
                    self._reap(slot)
            now = time.monotonic()
            for slot in self._slots:
                if not self._stopping and slot.restart_at is not None and slot.restart_at <= now:
                    self._start(slot)

    def _pause(self) -> float:
        due = [slot.restart_at for slot in self._slots if slot.restart_at is not None]
        return max(0.0, min([POLL_SECONDS, *(at - time.monotonic() for at in due)]))

    def _reap(self, slot: _Slot) -> None:
        process, slot.process = slot.process, None
        assert process is not None
        process.join()
        assert process.pid is not None
        forget_worker(self._metrics_directory, process.pid)
        if self._stopping:
            return
        quick = time.monotonic() - slot.started_at < QUICK_DEATH_SECONDS
        slot.quick_deaths = slot.quick_deaths + 1 if quick else 0
        died = f"elope: worker {process.pid} {_how_it_ended(process.exitcode)}"
        if slot.quick_deaths >= QUICK_DEATHS_BEFORE_GIVING_UP:
            _say(f"{died}, {slot.quick_deaths} times in a row within {QUICK_DEATH_SECONDS:g}s"
                 " of starting; stopping")
            self._exit_code = 1
            self._send(signal.SIGTERM)
            return
        pause = FIRST_PAUSE_SECONDS * 2 ** (slot.quick_deaths - 1) if slot.quick_deaths else 0.0
        _say(f"{died}; starting a replacement" + (f" in {pause:g}s" if pause else ""))
        slot.restart_at = time.monotonic() + pause


def _how_it_ended(exitcode: int | None) -> str:
    if exitcode is not None and exitcode < 0:
        return f"was killed by {signal.Signals(-exitcode).name}"
    return f"exited with code {exitcode}"


def _say(line: str) -> None:
    print(line, file=sys.stderr, flush=True)
