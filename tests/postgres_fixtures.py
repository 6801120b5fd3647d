"""Pytest plugin: a fresh PostgreSQL database per test run for the real-adapter tests.

Registered from tests/conftest.py (``pytest_plugins = ["tests.postgres_fixtures"]``).

- ``postgres_admin_dsn`` (session): the server found by :func:`tests.postgres.admin_dsn`; with
  none, the whole run stops with exit code 3 and a one-line message — never a skip.
- ``postgres_dsn`` (session): a new database ``elope_test_<worker>_<8 hex>`` with the migrations
  applied; dropped at the end of the session, so every run (and xdist worker) has its own.
- ``clean_postgres`` (function): ``postgres_dsn`` with every table emptied before the test.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator

import asyncpg
import pytest
import pytest_asyncio

from tests.postgres import NoPostgres, admin_dsn, create_database, drop_database, run_sync

# Piccolo's migration bookkeeping: emptying it would make the next run think nothing applied.
MIGRATION_TABLE = "migration"


@pytest.fixture(scope="session")
def postgres_admin_dsn() -> str:
    try:
        return admin_dsn()
    except NoPostgres as exc:
        # A skipped real-adapter suite looks like a green one; stop the run where it is seen.
        pytest.exit(str(exc), returncode=3)


def _worker_id() -> str:
    # pytest-xdist names its workers gw0, gw1, …; a plain run has none.
    return os.environ.get("PYTEST_XDIST_WORKER") or "main"


@pytest.fixture(scope="session")
def postgres_dsn(postgres_admin_dsn: str) -> Iterator[str]:
    # Imported here so this plugin (and the tests that don't need a schema) import without it.
    from adapters.piccolo.migrations_runner import apply_migrations

    name = f"elope_test_{_worker_id()}_{secrets.token_hex(4)}"
    dsn = create_database(postgres_admin_dsn, name)
    try:
        # A fresh loop of its own: the tests' function-scoped loops don't exist yet here.
        run_sync(apply_migrations(dsn))
        yield dsn
    finally:
        drop_database(postgres_admin_dsn, name)


def _quoted(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


@pytest_asyncio.fixture
async def clean_postgres(postgres_dsn: str) -> str:
    """The session database with every table but the migration log emptied, ids restarted."""
    conn = await asyncpg.connect(postgres_dsn)
    try:
        # A connection a previous test leaked mid-transaction would make TRUNCATE wait forever;
        # a lock timeout turns that into an error naming the problem.
        await conn.execute("SET lock_timeout = '10s'")
        tables = await conn.fetch(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename <> $1",
            MIGRATION_TABLE)
        if tables:
            names = ", ".join(f"public.{_quoted(row['tablename'])}" for row in tables)
            await conn.execute(f"TRUNCATE {names} RESTART IDENTITY CASCADE")
    finally:
        await conn.close()
    return postgres_dsn
