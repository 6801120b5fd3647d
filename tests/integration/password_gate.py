"""PgBouncer from the distribution's package in front of the test server, checking passwords
itself (scram-sha-256): the test server trusts every connection from 127.0.0.1, so without it
a wrong password could not be refused. Never skipped: a machine without PgBouncer installs it
(as root) or fails, naming the package."""

from __future__ import annotations

import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO
from urllib.parse import parse_qs, urlsplit

from tests.debian_packages import PGBOUNCER, require_programs, running_as_root

START_SECONDS = 10.0


def _server(dsn: str) -> tuple[str, int]:
    parts = urlsplit(dsn)
    socket_dir = parse_qs(parts.query).get("host", [None])[0]
    return socket_dir or parts.hostname or "127.0.0.1", parts.port or 5432


@contextmanager
def password_gate(dsn: str, user: str, password: str, port: int) -> Iterator[None]:
    """PgBouncer on 127.0.0.1:`port` forwarding every database of `dsn`'s server, admitting
    `user` with `password` only."""
    require_programs(PGBOUNCER)
    host, server_port = _server(dsn)
    # Readable by the user PgBouncer drops to when started as root.
    folder = Path(tempfile.mkdtemp(prefix="elope-pgbouncer-"))
    folder.chmod(0o755)
    (folder / "users.txt").write_text(f'"{user}" "{password}"\n')
    (folder / "pgbouncer.ini").write_text(
        f"[databases]\n* = host={host} port={server_port}\n"
        f"[pgbouncer]\nlisten_addr = 127.0.0.1\nlisten_port = {port}\nunix_socket_dir =\n"
        f"auth_type = scram-sha-256\nauth_file = {folder / 'users.txt'}\n"
        "pool_mode = transaction\n")
    as_user = ["-u", "postgres"] if running_as_root() else []
    # A file, not a pipe: nobody reads its log while it runs.
    with tempfile.TemporaryFile() as log:
        process = subprocess.Popen([str(PGBOUNCER), *as_user, str(folder / "pgbouncer.ini")],
                                   stdout=subprocess.DEVNULL, stderr=log)
        try:
            _wait_for(port, process, log)
            yield
        finally:
            process.terminate()
            process.wait(timeout=10)
            shutil.rmtree(folder, ignore_errors=True)


def _wait_for(port: int, process: subprocess.Popen[bytes], log: IO[bytes]) -> None:
    deadline = time.monotonic() + START_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            log.seek(0)
            raise RuntimeError(f"pgbouncer exited {process.returncode}: {log.read().decode()}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"pgbouncer did not listen on 127.0.0.1:{port}")
