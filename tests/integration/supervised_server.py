"""`elope serve --workers 2` as an operator runs it, for tests that look at its workers.

The workers are found the way an operator would find them: the parent's children that listen
on the port (psutil, from the bench extra)."""

from __future__ import annotations

import contextlib
import http.client
import os
import signal
import subprocess
import time
from collections.abc import Callable

import psutil

from tests.integration.servers import ELOPE, free_port

GONE = (psutil.NoSuchProcess, psutil.ZombieProcess)


class Served:
    """One `elope serve --workers 2` parent process and the port its workers share."""

    def __init__(self, env: dict[str, str]) -> None:
        self.port = free_port()
        self.process = subprocess.Popen(
            [ELOPE, "serve", "--host", "127.0.0.1", "--port", str(self.port), "--workers", "2"],
            env={**os.environ, **env, "API_PORT": str(self.port)},
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        self.parent = psutil.Process(self.process.pid)

    def workers(self) -> set[int]:
        """The parent's children that listen on the port: they only listen once the app has
        started, so these are the workers ready to answer."""
        listening = set()
        for child in self.parent.children():
            with contextlib.suppress(*GONE):
                if any(c.status == psutil.CONN_LISTEN and c.laddr.port == self.port
                       for c in child.net_connections(kind="tcp")):
                    listening.add(child.pid)
        return listening

    def answering_worker(self, client_port: int) -> int:
        """The worker holding the server end of the connection from `client_port`."""
        for pid in self.workers():
            with contextlib.suppress(*GONE):
                if any(c.raddr and c.raddr.port == client_port
                       for c in psutil.Process(pid).net_connections(kind="tcp")):
                    return pid
        raise AssertionError(f"no worker holds the connection from port {client_port}")

    def connect_and_ask(self, path: str = "/health/live") -> tuple[http.client.HTTPConnection, int]:
        """A new keep-alive connection that has been answered (left open), with its status."""
        connection, status, _ = self.connect_and_read(path)
        return connection, status

    def connect_and_read(self, path: str) -> tuple[http.client.HTTPConnection, int, str]:
        """A GET of `path` on a new keep-alive connection (left open): status and body."""
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        connection.request("GET", path)
        response = connection.getresponse()
        return connection, response.status, response.read().decode()

    def stop(self) -> int:
        """SIGTERM to the parent, as systemd stops it: its exit code once everything ended."""
        self.process.send_signal(signal.SIGTERM)
        return self.process.wait(timeout=15)

    def stop_now(self) -> None:
        """SIGKILL to the parent and everything it started (a failed test leaves nothing)."""
        if self.process.poll() is None:
            for process in [*self.parent.children(recursive=True), self.parent]:
                with contextlib.suppress(*GONE):
                    process.kill()
            self.process.wait(timeout=10)


def alive(process: psutil.Process) -> bool:
    # A zombie has ended; it only waits for init to collect its exit status (the resource
    # tracker multiprocessing starts ends just after the parent and is orphaned to init).
    try:
        return process.is_running() and process.status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def wait_until(condition: Callable[[], bool], what: str, seconds: float = 15.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"still waiting for {what} after {seconds}s")
        time.sleep(0.1)
