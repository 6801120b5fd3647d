"""Finding a PostgreSQL server for the real-adapter tests, and making throwaway databases in it.

Tests find PostgreSQL themselves, in this order:

1. ``TEST_DATABASE_URL`` — an explicit admin DSN wins when it answers;
2. ``postgresql://postgres@127.0.0.1:5432/postgres`` — the CI machine's server; when it refuses
   the connection and ``/etc/postgresql`` exists, the stopped cluster is started with
   ``pg_ctlcluster --skip-systemctl-redirect <version> main start`` and tried again;
3. a throwaway server from ``pgserver`` (PyPI, bundles PostgreSQL 16) in a temp directory that is
   stopped and deleted when the process exits;
4. otherwise :class:`NoPostgres`, whose one-line message says how to provide a server.

Real-adapter tests never skip: no server is a loud failure, not a quiet green run.
"""

from __future__ import annotations

import asyncio
import atexit
import concurrent.futures
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Coroutine
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import SplitResult, urlsplit, urlunsplit

import asyncpg

T = TypeVar("T")

LOCAL_DSN = "postgresql://postgres@127.0.0.1:5432/postgres"
CONNECT_TIMEOUT = 3.0
# A cluster that pg_ctlcluster reports as started can still be replaying WAL; give it a moment.
LOCAL_START_WAIT = 15.0
POSTGRESQL_ETC = Path("/etc/postgresql")

HOW_TO_PROVIDE = (
    "No PostgreSQL for the real-adapter tests: set TEST_DATABASE_URL to an admin DSN, "
    "or run PostgreSQL on 127.0.0.1:5432 with user postgres (trust auth), "
    "or `pip install pgserver` for a throwaway server"
)

# Database names are interpolated into DDL (CREATE/DROP DATABASE take no bind parameters), so
# only accept names that need no quoting tricks.
_DB_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")

# One pgserver per process: starting a second one would only waste a second and a socket.
_pgserver: Any = None


class NoPostgres(RuntimeError):
    """No PostgreSQL server could be found or started."""


def run_sync(coro: Coroutine[Any, Any, T]) -> T:
    """Run a coroutine to completion from sync code.

    Session fixtures normally run with no event loop in the thread, where ``asyncio.run`` is
    right; if a loop is running (a caller inside an async test), ``asyncio.run`` would raise, so
    the coroutine gets a fresh loop in a worker thread instead.
    """
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coro)
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coro).result()


def redact(dsn: str) -> str:
    """The DSN without its password, for messages that end up in CI logs."""
    parts = urlsplit(dsn)
    if parts.password is None:
        return dsn
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@", 1)
    return urlunsplit(parts._replace(netloc=netloc))


async def _probe(dsn: str, connect_timeout: float) -> None:
    conn = await asyncpg.connect(dsn, timeout=connect_timeout)
    try:
        await conn.fetchval("SELECT 1")
    finally:
        await conn.close()


def check(dsn: str, timeout: float = CONNECT_TIMEOUT) -> BaseException | None:
    """None when ``dsn`` accepts a connection and answers ``SELECT 1``, else the error."""
    try:
        run_sync(asyncio.wait_for(_probe(dsn, timeout), timeout + 1))
    except (OSError, TimeoutError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
        return exc
    return None


def _refused(exc: BaseException) -> bool:
    # Refused means "nothing listens there": the one case where starting the local cluster can
    # help. A timeout or an auth error means something else is wrong; starting would not fix it.
    return isinstance(exc, ConnectionRefusedError) or "refused" in str(exc).lower()


def _describe(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    return f"{type(exc).__name__}: {text}"[:160] if text else type(exc).__name__


def _start_local_cluster() -> str:
    """Start the stopped Debian/Ubuntu cluster(s) the documented CI way; returns what happened."""
    if not POSTGRESQL_ETC.is_dir():
        return f"{POSTGRESQL_ETC} missing"
    outcomes = []
    for version in sorted(os.listdir(POSTGRESQL_ETC)):
        if not (POSTGRESQL_ETC / version / "main").is_dir():
            continue
        cmd = ["pg_ctlcluster", "--skip-systemctl-redirect", version, "main", "start"]
        try:
            done = subprocess.run(cmd, capture_output=True, text=True, timeout=60, check=False)
        except (OSError, subprocess.TimeoutExpired) as exc:
            outcomes.append(f"{' '.join(cmd)}: {_describe(exc)}")
            continue
        # Exit 2 is "already running" — fine, something else is wrong with the connection then.
        outcomes.append(f"{' '.join(cmd)}: exit {done.returncode}")
    return "; ".join(outcomes) or f"no cluster under {POSTGRESQL_ETC}"


def _wait_for(dsn: str, seconds: float) -> BaseException | None:
    deadline = time.monotonic() + seconds
    while True:
        error = check(dsn)
        if error is None or time.monotonic() >= deadline:
            return error
        time.sleep(0.5)


def _start_pgserver() -> str:
    """A throwaway PostgreSQL 16 from the pgserver wheel; stopped and deleted at process exit."""
    global _pgserver
    if _pgserver is not None:
        return str(_pgserver.get_uri())

    # pgserver computes its lock and socket directory from XDG_RUNTIME_DIR when it is imported
    # (class attributes), and containers running as root usually have none set — so it has to
    # exist before the import.
    if not os.environ.get("XDG_RUNTIME_DIR") and "pgserver" not in sys.modules:
        runtime = tempfile.mkdtemp(prefix="elope-xdg-")
        os.environ["XDG_RUNTIME_DIR"] = runtime
        atexit.register(shutil.rmtree, runtime, ignore_errors=True)

    import pgserver  # an optional test dependency: only needed when no other server exists

    base = Path(tempfile.mkdtemp(prefix="elope-pgserver-"))
    # Registered before pgserver registers its own cleanup, so (atexit is LIFO) the server is
    # stopped first and the directory removed after.
    atexit.register(shutil.rmtree, base, ignore_errors=True)
    # As root, pgserver runs PostgreSQL as a system user `pgserver` (created with useradd if
    # missing) and widens the permissions of the data dir's parents so that user can reach it.
    # It listens on a Unix socket only; get_uri() gives `postgresql://postgres:@/postgres?host=…`.
    _pgserver = pgserver.get_server(base / "data", cleanup_mode="delete")
    return str(_pgserver.get_uri())


def admin_dsn(
    *,
    env_dsn: str | None = None,
    local_dsn: str = LOCAL_DSN,
    allow_start_local: bool = True,
    allow_pgserver: bool = True,
) -> str:
    """An admin DSN of a PostgreSQL server that may create databases (see the module docstring).

    ``env_dsn`` defaults to ``TEST_DATABASE_URL``; the keywords exist so tests can walk the order
    without touching the machine's real server.
    """
    if env_dsn is None:
        env_dsn = os.environ.get("TEST_DATABASE_URL") or None
    tried: list[str] = []

    if env_dsn:
        error = check(env_dsn)
        if error is None:
            return env_dsn
        # Falling through keeps a stale TEST_DATABASE_URL from blocking a machine that has a
        # server anyway; the warning says the explicit choice was not used.
        tried.append(f"TEST_DATABASE_URL {redact(env_dsn)}: {_describe(error)}")
        print(f"tests.postgres: TEST_DATABASE_URL unusable ({_describe(error)}); trying others",
              file=sys.stderr)
    else:
        tried.append("TEST_DATABASE_URL unset")

    error = check(local_dsn)
    if error is not None and _refused(error) and allow_start_local:
        started = _start_local_cluster()
        error = _wait_for(local_dsn, LOCAL_START_WAIT)
        if error is not None:
            tried.append(f"started local cluster ({started})")
    if error is None:
        return local_dsn
    tried.append(f"{redact(local_dsn)}: {_describe(error)}")

    if allow_pgserver:
        try:
            dsn = _start_pgserver()
        except ImportError:
            tried.append("pgserver not installed")
        except Exception as exc:  # any failure here just means "this option is out"
            tried.append(f"pgserver: {_describe(exc)}")
        else:
            error = check(dsn)
            if error is None:
                return dsn
            tried.append(f"pgserver {dsn}: {_describe(error)}")
    else:
        tried.append("pgserver not allowed")

    raise NoPostgres(f"{HOW_TO_PROVIDE} (tried: {'; '.join(tried)})")


def _with_database(dsn: str, name: str) -> str:
    parts: SplitResult = urlsplit(dsn)
    return urlunsplit(parts._replace(path=f"/{name}"))


def _checked_name(name: str) -> str:
    if not _DB_NAME.match(name):
        raise ValueError(f"unsafe database name {name!r}: use lowercase letters, digits and _")
    return name


async def _create(admin: str, name: str, dsn: str) -> None:
    conn = await asyncpg.connect(admin, timeout=CONNECT_TIMEOUT)
    try:
        await conn.execute(f'CREATE DATABASE "{name}"')  # the creator owns it
        await conn.execute(f'GRANT ALL PRIVILEGES ON DATABASE "{name}" TO CURRENT_USER')
    finally:
        await conn.close()
    conn = await asyncpg.connect(dsn, timeout=CONNECT_TIMEOUT)
    try:
        # Owning the database is not enough before PostgreSQL 15, where schema public belongs
        # to the bootstrap superuser: migrations must be able to CREATE TABLE there.
        if not await conn.fetchval("SELECT has_schema_privilege('public', 'CREATE')"):
            await conn.execute("GRANT ALL ON SCHEMA public TO CURRENT_USER")
    finally:
        await conn.close()


def create_database(admin: str, name: str) -> str:
    """Create database ``name`` on the admin DSN's server; returns its DSN (same credentials)."""
    dsn = _with_database(admin, _checked_name(name))
    run_sync(_create(admin, name, dsn))
    return dsn


async def _drop(admin: str, name: str) -> None:
    conn = await asyncpg.connect(admin, timeout=CONNECT_TIMEOUT)
    try:
        # A pool left open by a failed test would make DROP DATABASE fail with "is being
        # accessed by other users"; a pool may also reconnect in between, hence the retries.
        for attempt in range(5):
            await conn.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = $1 AND pid <> pg_backend_pid()", name)
            try:
                await conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
                return
            except asyncpg.ObjectInUseError:
                if attempt == 4:
                    raise
                await asyncio.sleep(0.2)
    finally:
        await conn.close()


def drop_database(admin: str, name: str) -> None:
    """Drop database ``name`` (after ending its connections); a missing one is fine."""
    run_sync(_drop(admin, _checked_name(name)))
