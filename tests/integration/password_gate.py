"""PgBouncer from the distribution's package in front of the test server, checking passwords
itself (scram-sha-256): the test server trusts every connection from 127.0.0.1, so without it
a wrong password could not be refused. Never skipped: a machine without PgBouncer installs it
(as root) or fails, naming the package."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO
from urllib.parse import parse_qs, urlsplit

from tests.debian_packages import PGBOUNCER, require_programs, running_as_root
from tests.listening_process import stop_process, wait_until_listening

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
            wait_until_listening(process, port, "pgbouncer", lambda: _read(log), START_SECONDS)
            yield
        finally:
            stop_process(process)
            shutil.rmtree(folder, ignore_errors=True)


def _read(log: IO[bytes]) -> str:
    log.seek(0)
    return log.read().decode(errors="replace")
