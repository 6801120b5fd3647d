"""Elope as separate `elope serve` processes, for tests that need a real process boundary."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

import httpx

ELOPE = str(Path(sys.executable).parent / "elope")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class ServerProcess:
    env: dict[str, str]
    port: int = field(default_factory=free_port)
    # The directory it runs in (relative paths: var/mail, .env); the test's own by default.
    cwd: Path | None = None
    process: subprocess.Popen[bytes] | None = None
    _stderr: IO[bytes] = field(default_factory=tempfile.TemporaryFile)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 20.0) -> ServerProcess:
        env = {**os.environ, **self.env, "API_PORT": str(self.port)}
        self.process = subprocess.Popen(
            [ELOPE, "serve", "--host", "127.0.0.1", "--port", str(self.port)],
            # A file, not a pipe: nobody reads a pipe while the server runs, and a server
            # whose log lines fill one blocks on its next write.
            env=env, cwd=self.cwd, stdout=subprocess.DEVNULL, stderr=self._stderr)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(
                    f"elope serve exited {self.process.returncode}: {self.errors()}")
            try:
                if httpx.get(f"{self.url}/health/ready", timeout=0.5).status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        self.kill()
        raise RuntimeError(f"elope serve did not become ready on port {self.port}")

    def kill(self) -> None:
        """SIGKILL: no shutdown hooks, no flushing - a crash."""
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(timeout=10)

    def stop(self, timeout: float = 10) -> None:
        """SIGTERM, the graceful stop; SIGKILL if it has not ended within `timeout` s."""
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.kill()

    def errors(self) -> str:
        """The end of what the stopped process wrote to stderr, for an assertion message."""
        self._stderr.seek(0)
        return self._stderr.read().decode(errors="replace")[-2000:]
