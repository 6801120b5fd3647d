"""`elope migrate` is safe to run twice, and from two processes at the same moment."""

from __future__ import annotations

import asyncio
import os
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path

import asyncpg
import pytest

from adapters.piccolo.migrations_runner import apply_migrations, migrations_folder
from tests.integration.conftest import real_environment
from tests.integration.servers import ELOPE
from tests.postgres import create_database, drop_database


@pytest.fixture
def empty_database(postgres_admin_dsn: str) -> Iterator[str]:
    name = f"elope_migrate_{uuid.uuid4().hex[:8]}"
    dsn = create_database(postgres_admin_dsn, name)
    yield dsn
    drop_database(postgres_admin_dsn, name)


async def tables(dsn: str) -> set[str]:
    connection = await asyncpg.connect(dsn)
    try:
        rows = await connection.fetch("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
        return {r["tablename"] for r in rows}
    finally:
        await connection.close()


async def test_applying_the_migrations_twice_changes_nothing_the_second_time(
    empty_database: str,
) -> None:
    first = await apply_migrations(empty_database)
    schema = await tables(empty_database)
    second = await apply_migrations(empty_database)

    assert first and second == []
    assert await tables(empty_database) == schema
    assert {"booking", "date_hold", "webhook_event", "outbox_message"} <= schema


async def test_two_processes_migrating_one_database_at_the_same_moment_both_succeed(
    empty_database: str, tmp_path: Path, stripe_api_base: str,
) -> None:
    env = {**os.environ, **real_environment(empty_database, tmp_path / "mail", stripe_api_base)}
    runs = [await asyncio.create_subprocess_exec(
        ELOPE, "migrate", env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        for _ in range(2)]
    results = await asyncio.gather(*(run.communicate() for run in runs))

    assert [run.returncode for run in runs] == [0, 0], results
    outputs = [out.decode() for out, _ in results]
    assert "schema is up to date" in outputs[0] or "schema is up to date" in outputs[1]
    connection = await asyncpg.connect(empty_database)
    try:
        applied = await connection.fetchval("SELECT count(*) FROM migration")
    finally:
        await connection.close()
    assert applied == len(list(migrations_folder().glob("elope_*.py")))
