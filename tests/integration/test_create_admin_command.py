"""`elope create-admin` on PostgreSQL, as an operator runs it: the password kept off the
command line (piped on standard input), and a new password ending the tokens of the old."""

from __future__ import annotations

import os
import subprocess
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from entrypoints.http.app import create_asgi
from tests.integration.conftest import MakeElope, real_environment
from tests.integration.servers import ELOPE

EMAIL = "ops@example.com"


@pytest.fixture
def env(clean_postgres: str, tmp_path: Path, stripe_api_base: str) -> dict[str, str]:
    return {**os.environ, **real_environment(clean_postgres, tmp_path / "mail", stripe_api_base)}


def create_admin(env: dict[str, str], stdin: str, *args: str) -> subprocess.CompletedProcess[str]:
    # Not a terminal: the password, if not given, is the first line of standard input.
    return subprocess.run([ELOPE, "create-admin", "--email", EMAIL, *args], input=stdin, env=env,
                          capture_output=True, text=True, timeout=60)


@pytest.fixture
async def client(make_elope: MakeElope) -> AsyncIterator[httpx.AsyncClient]:
    """A server instance on the same database as the command (no admin of its own)."""
    transport = httpx.ASGITransport(app=create_asgi(await make_elope(), run_background=False))
    async with httpx.AsyncClient(transport=transport, base_url="http://elope.test") as http:
        yield http


async def log_in(client: httpx.AsyncClient, password: str) -> httpx.Response:
    return await client.post("/v1/admin/login", json={"email": EMAIL, "password": password})


async def admin_bookings(client: httpx.AsyncClient, token: str) -> int:
    response = await client.get("/v1/admin/bookings", headers={"Authorization": f"Bearer {token}"})
    return response.status_code


async def test_a_password_piped_on_stdin_creates_the_admin_and_a_new_one_ends_its_tokens(
    env: dict[str, str], client: httpx.AsyncClient,
) -> None:
    created = create_admin(env, "first password\n")
    assert created.returncode == 0, created.stderr
    assert "first password" not in created.stdout + created.stderr
    first = await log_in(client, "first password")  # the space is part of the password
    assert first.status_code == 200, first.text
    old_token = first.json()["token"]
    assert await admin_bookings(client, old_token) == 200

    changed = create_admin(env, "second-password\n")

    assert changed.returncode == 0, changed.stderr
    assert await admin_bookings(client, old_token) == 401
    assert (await log_in(client, "first password")).status_code == 401
    second = await log_in(client, "second-password")
    assert second.status_code == 200, second.text
    assert await admin_bookings(client, second.json()["token"]) == 200


async def test_no_usable_password_on_stdin_ends_with_one_line_and_exit_code_2(
    env: dict[str, str], client: httpx.AsyncClient,
) -> None:
    for stdin, says in (("", "no password"), ("abc\n", "at least 5 characters")):
        refused = create_admin(env, stdin)
        assert refused.returncode == 2, refused.stderr
        assert len(refused.stderr.strip().splitlines()) == 1, refused.stderr
        assert refused.stderr.startswith("elope: ") and says in refused.stderr
    assert (await log_in(client, "abc")).status_code == 401  # nobody was created


async def test_the_password_on_the_command_line_still_works(
    env: dict[str, str], client: httpx.AsyncClient,
) -> None:
    # Standard input is not read when --password is given.
    done = create_admin(env, "not-this-one\n", "--password", "pw-on-the-line")

    assert done.returncode == 0, done.stderr
    assert (await log_in(client, "pw-on-the-line")).status_code == 200
