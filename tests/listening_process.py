"""A program the tests start that serves on a port of 127.0.0.1 (nginx, PgBouncer): waiting
until it listens, and stopping it, the same way for each."""

from __future__ import annotations

import socket
import subprocess
import time
from collections.abc import Callable


def wait_until_listening(process: subprocess.Popen[bytes], port: int, name: str,
                         log: Callable[[], str], timeout: float = 10.0) -> None:
    """Return once 127.0.0.1:`port` accepts a connection; raise with the program's log if it
    exits first or does not listen within `timeout` s (and then stop it)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{name} exited {process.returncode}: {log()}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        except OSError:
            time.sleep(0.05)
    stop_process(process)
    raise RuntimeError(f"{name} did not listen on 127.0.0.1:{port}: {log()}")


def stop_process(process: subprocess.Popen[bytes] | None) -> None:
    """SIGTERM (a graceful or fast shutdown for these programs), SIGKILL after 10 s."""
    if process is None or process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)
