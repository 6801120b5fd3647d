"""The tests' own PostgreSQL discovery: a usable server is found, databases come and go, and the
pgserver fallback works when nothing else answers. The machine's real server is never stopped:
"unavailable" is simulated with DSNs pointing at a closed port."""

from __future__ import annotations

import secrets

import asyncpg
import pytest

from tests.postgres import (
    HOW_TO_PROVIDE,
    NoPostgres,
    admin_dsn,
    check,
    create_database,
    drop_database,
)

# Port 1 (tcpmux) is closed on any sane machine: connecting is refused at once.
UNREACHABLE = "postgresql://postgres@127.0.0.1:1/postgres"


async def _fetchval(dsn: str, query: str, *args: object) -> object:
    conn = await asyncpg.connect(dsn, timeout=5)
    try:
        return await conn.fetchval(query, *args)
    finally:
        await conn.close()


async def test_discovered_server_answers(postgres_admin_dsn: str) -> None:
    assert await _fetchval(postgres_admin_dsn, "SELECT 1") == 1


async def test_create_and_drop_database(postgres_admin_dsn: str) -> None:
    name = f"elope_test_probe_{secrets.token_hex(4)}"
    dsn = create_database(postgres_admin_dsn, name)
    try:
        assert await _fetchval(dsn, "SELECT current_database()") == name
        # The role must be able to build the schema there, which is what migrations do.
        conn = await asyncpg.connect(dsn, timeout=5)
        try:
            await conn.execute("CREATE TABLE public.probe (id serial PRIMARY KEY)")
            await conn.execute("INSERT INTO public.probe DEFAULT VALUES")
        finally:
            await conn.close()
        # A connection left open must not stop the drop: drop_database ends it first.
        lingering = await asyncpg.connect(dsn, timeout=5)
    finally:
        drop_database(postgres_admin_dsn, name)
    lingering.terminate()  # already ended server-side; this only frees the client side
    exists = await _fetchval(postgres_admin_dsn, "SELECT count(*) FROM pg_database WHERE datname = $1",
                             name)
    assert exists == 0


def test_drop_missing_database_is_fine(postgres_admin_dsn: str) -> None:
    drop_database(postgres_admin_dsn, f"elope_test_absent_{secrets.token_hex(4)}")


def test_unsafe_database_name_is_refused(postgres_admin_dsn: str) -> None:
    with pytest.raises(ValueError, match="unsafe database name"):
        create_database(postgres_admin_dsn, 'x"; DROP DATABASE postgres; --')


def test_reachable_env_dsn_wins(postgres_admin_dsn: str) -> None:
    assert admin_dsn(env_dsn=postgres_admin_dsn, local_dsn=UNREACHABLE, allow_start_local=False,
                     allow_pgserver=False) == postgres_admin_dsn


def test_nothing_available_fails_with_one_line() -> None:
    with pytest.raises(NoPostgres) as raised:
        admin_dsn(env_dsn=UNREACHABLE, local_dsn=UNREACHABLE, allow_start_local=False,
                  allow_pgserver=False)
    message = str(raised.value)
    assert "\n" not in message
    assert message.startswith(HOW_TO_PROVIDE)
    assert "TEST_DATABASE_URL" in message and "pgserver" in message


async def test_pgserver_fallback_when_env_and_local_unavailable(
        monkeypatch: pytest.MonkeyPatch) -> None:
    # No importorskip: pgserver is in the test extra, and a missing fallback must fail loudly.
    monkeypatch.setenv("TEST_DATABASE_URL", UNREACHABLE)

    dsn = admin_dsn(local_dsn=UNREACHABLE, allow_start_local=False)

    assert dsn != UNREACHABLE
    assert check(dsn) is None
    # It really is the throwaway server, not some other one that happened to answer.
    assert "elope-pgserver-" in str(await _fetchval(dsn, "SHOW data_directory"))
    # The fallback is a real server the fixtures can use: databases can be made in it.
    name = f"elope_test_pgserver_{secrets.token_hex(4)}"
    created = create_database(dsn, name)
    try:
        assert check(created) is None
    finally:
        drop_database(dsn, name)
