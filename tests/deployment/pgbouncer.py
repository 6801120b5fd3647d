"""PgBouncer in transaction mode in front of one PostgreSQL database, with its own ini and
userlist in a directory of its own, on a free port."""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO
from urllib.parse import parse_qs, quote, urlsplit

from tests.debian_packages import PGBOUNCER, running_as_root
from tests.integration.servers import free_port
from tests.listening_process import stop_process, wait_until_listening

# The name Elope connects to; PgBouncer maps it to the real database.
POOLED_NAME = "elope"


@dataclass(frozen=True)
class Upstream:
    """Where PgBouncer connects: a libpq DSN taken apart (host may be a socket directory)."""

    host: str
    port: int
    user: str
    password: str
    database: str

    @classmethod
    def of(cls, dsn: str) -> Upstream:
        parts = urlsplit(dsn)
        query = parse_qs(parts.query)
        host = parts.hostname or query.get("host", ["127.0.0.1"])[0]
        return cls(host=host, port=parts.port or int(query.get("port", ["5432"])[0]),
                   user=parts.username or "postgres", password=parts.password or "",
                   database=parts.path.lstrip("/"))


def _quoted(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _version() -> tuple[int, int]:
    out = subprocess.run([str(PGBOUNCER), "--version"], capture_output=True, text=True).stdout
    found = re.search(r"PgBouncer (\d+)\.(\d+)", out)
    return (int(found.group(1)), int(found.group(2))) if found else (0, 0)


@dataclass
class PgBouncer:
    directory: Path
    upstream: Upstream
    # Fewer server connections than the instances' pools hold together: each server
    # connection really does serve one client's transaction, then another's.
    pool_size: int = 4
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None
    _log: IO[bytes] | None = None

    @property
    def url(self) -> str:
        """DATABASE_URL for the instances: the pooled database, through PgBouncer."""
        return f"postgresql://{quote(self.upstream.user)}@127.0.0.1:{self.port}/{POOLED_NAME}"

    def config(self) -> str:
        upstream = self.upstream
        target = (f"host={_quoted(upstream.host)} port={upstream.port} "
                  f"dbname={_quoted(upstream.database)} user={_quoted(upstream.user)}")
        if upstream.password:
            target += f" password={_quoted(upstream.password)}"
        lines = [
            "[databases]", f"{POOLED_NAME} = {target}", "",
            "[pgbouncer]", "listen_addr = 127.0.0.1", f"listen_port = {self.port}",
            "unix_socket_dir =",
            # Trust, as the test PostgreSQL does; the user must still be in the userlist.
            "auth_type = trust", f"auth_file = {self.directory / 'userlist.txt'}",
            "pool_mode = transaction", f"default_pool_size = {self.pool_size}",
            "max_client_conn = 200", "log_connections = 0", "log_disconnections = 0",
        ]
        if _version() >= (1, 21):
            # Newer PgBouncers can keep prepared statements per server connection: off, so
            # this proves Elope needs none.
            lines.append("max_prepared_statements = 0")
        return "\n".join(lines) + "\n"

    def start(self, timeout: float = 10.0) -> PgBouncer:
        self.directory.mkdir(parents=True, exist_ok=True)
        (self.directory / "userlist.txt").write_text(f'"{self.upstream.user}" ""\n')
        ini = self.directory / "pgbouncer.ini"
        ini.write_text(self.config())
        # PgBouncer refuses to run as root; it reads its files first, then becomes `nobody`.
        user = ["-u", "nobody"] if running_as_root() else []
        self._log = (self.directory / "pgbouncer.log").open("wb")
        self.process = subprocess.Popen([str(PGBOUNCER), *user, str(ini)],
                                        stdout=self._log, stderr=subprocess.STDOUT)
        wait_until_listening(self.process, self.port, "pgbouncer", self.log, timeout)
        return self

    def stop(self) -> None:
        stop_process(self.process)
        if self._log is not None:
            self._log.close()

    def log(self) -> str:
        path = self.directory / "pgbouncer.log"
        return path.read_text(errors="replace")[-2000:] if path.exists() else ""
