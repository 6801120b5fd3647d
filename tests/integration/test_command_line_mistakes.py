"""Each mistake a new operator makes, made with the real `elope` console script against real
PostgreSQL: one line on standard error that names what is wrong and says what to do, exit
code 2, no traceback (unless --debug asks for it). `elope doctor` reports the same sentence
as a failed check.

PostgreSQL here trusts every connection from 127.0.0.1 (pg_hba.conf: `host all all
127.0.0.1/32 trust`) and accepts any password: a wrong password is refused by PgBouncer in
front of it (tests/integration/password_gate.py), and a role that does not exist by
PostgreSQL itself."""

from __future__ import annotations

import os
import socket
import subprocess
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import pytest

from adapters.piccolo.migrations_runner import apply_migrations, known_migrations
from tests.integration.command_line import elope, where
from tests.integration.conftest import real_environment
from tests.integration.password_gate import password_gate
from tests.integration.servers import ELOPE, free_port
from tests.postgres import create_database, drop_database

PASSWORD = "pw-never-shown-0451"
EMAIL = "ops@example.com"
# Every command that uses the database, as an operator would type it.
DATABASE_COMMANDS = (
    ["migrate"], ["seed"], ["create-admin", "--email", EMAIL, "--password", PASSWORD],
    ["webhooks", "replay"], ["webhooks", "replay", "--dead-letters"], ["reconcile"],
)
NEEDS_SCHEMA = tuple(command for command in DATABASE_COMMANDS if command != ["migrate"])


def serve() -> list[str]:
    return ["serve", "--host", "127.0.0.1", "--port", str(free_port())]


@pytest.fixture
def env(tmp_path: Path, stripe_api_base: str) -> dict[str, str]:
    """The real preset's environment; each test points DATABASE_URL somewhere."""
    return {**os.environ, **real_environment("", tmp_path / "mail", stripe_api_base)}


@pytest.fixture
def fresh_database(postgres_admin_dsn: str) -> Iterator[str]:
    """A database that exists and has nothing in it: never migrated."""
    name = f"elope_test_fresh_{uuid.uuid4().hex[:8]}"
    dsn = create_database(postgres_admin_dsn, name)
    yield dsn
    drop_database(postgres_admin_dsn, name)


def at_once(env: dict[str, str], url: str,
            commands: tuple[list[str], ...] | list[list[str]]
            ) -> list[tuple[list[str], subprocess.CompletedProcess[str]]]:
    """Each command run as its own process, side by side (each waits on its own I/O)."""
    with ThreadPoolExecutor(max_workers=4) as pool:
        return list(zip(commands, pool.map(lambda args: elope(env, url, args), commands),
                        strict=True))


def one_line(done: subprocess.CompletedProcess[str], *words: str) -> str:
    """The one line a mistake prints, checked: exit code 2, nothing else, no traceback."""
    shown = f"{done.args}: exit {done.returncode}\n{done.stdout}{done.stderr}"
    assert done.returncode == 2, shown
    lines = done.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("elope: "), shown
    assert done.stdout == "", shown  # nothing was started, nothing logged
    assert "Traceback" not in done.stderr, shown
    assert PASSWORD not in done.stdout + done.stderr, shown
    for word in words:
        assert word in lines[0], shown
    return lines[0]


def doctor_says(done: subprocess.CompletedProcess[str], line: str) -> None:
    assert done.returncode == 1, done.stdout + done.stderr
    assert f"[fail] database: {line.removeprefix('elope: ')}" in done.stdout.splitlines(), \
        done.stdout


def with_database(dsn: str, name: str, user: str | None = None) -> str:
    """`dsn`'s server, with another database (and user, given a password, when `user`)."""
    parts = urlsplit(dsn)
    server = parts.netloc.rpartition("@")[2]
    login = f"{user}:{PASSWORD}" if user else parts.netloc.rpartition("@")[0]
    return urlunsplit(parts._replace(netloc=f"{login}@{server}", path=f"/{name}"))


def test_a_database_that_does_not_exist_is_named_on_every_command(
    env: dict[str, str], postgres_admin_dsn: str,
) -> None:
    name = f"elope_missing_{uuid.uuid4().hex[:8]}"
    url = with_database(postgres_admin_dsn, name)
    runs = at_once(env, url, [serve(), *DATABASE_COMMANDS, ["doctor"]])
    says = f'the database "{name}" does not exist at {where(url)}: create it (createdb {name})'
    for _, done in runs[:-1]:
        line = one_line(done, says, "run `elope migrate`", "correct DATABASE_URL")
    doctor_says(runs[-1][1], line)


def test_a_port_nothing_listens_on_is_named_with_the_database(
    env: dict[str, str], postgres_admin_dsn: str,
) -> None:
    port = free_port()  # closed again at once: nothing listens there
    url = f"postgresql://postgres@127.0.0.1:{port}/elope"
    runs = at_once(env, url, [serve(), ["migrate"], ["doctor"]])
    for _, done in runs[:-1]:
        line = one_line(done, f"nothing accepts connections at 127.0.0.1:{port}",
                        'the database "elope"', "start PostgreSQL there")
    doctor_says(runs[-1][1], line)


def test_a_host_that_does_not_exist_is_named(env: dict[str, str]) -> None:
    done = elope(env, "postgresql://postgres@no-such-host.invalid/elope", ["migrate"])
    one_line(done, 'the host of the database "elope" at no-such-host.invalid:5432 is unknown',
             "correct the host name in DATABASE_URL")


def test_credentials_postgresql_refuses_name_the_user_and_the_database_that_exists(
    env: dict[str, str], clean_postgres: str,
) -> None:
    name = clean_postgres.rpartition("/")[2]
    role = f"elope_nobody_{uuid.uuid4().hex[:6]}"
    url = with_database(clean_postgres, name, user=role)
    runs = at_once(env, url, [serve(), ["seed"], ["doctor"]])
    for _, done in runs[:-1]:
        line = one_line(done, f'PostgreSQL at {where(url)} refused user "{role}" for the'
                              f' database "{name}" (role "{role}" does not exist)',
                        "correct the user in DATABASE_URL")
    # The database exists and is migrated: doctor says why it could not look, not "missing".
    doctor_says(runs[-1][1], line)


def test_a_wrong_password_is_named_with_the_user_and_the_database(
    env: dict[str, str], clean_postgres: str,
) -> None:
    name = clean_postgres.rpartition("/")[2]
    port = free_port()
    url = f"postgresql://postgres:{PASSWORD}@127.0.0.1:{port}/{name}"
    # The gate is PgBouncer in transaction mode, so Elope is told so (and migrate goes to the
    # "direct" URL: the same wrong password).
    pooled = {**env, "DATABASE_POOL_MODE": "transaction", "DATABASE_DIRECT_URL": url}
    with password_gate(clean_postgres, "postgres", "the-right-one", port):
        runs = at_once(pooled, url, [serve(), ["migrate"], ["doctor"]])
    for _, done in runs[:-1]:
        line = one_line(done, f'PostgreSQL at 127.0.0.1:{port} refused the password of user'
                              f' "postgres" for the database "{name}"',
                        "correct the user or the password in DATABASE_URL")
    doctor_says(runs[-1][1], line)


def test_a_pooler_taken_for_postgresql_itself_is_named(
    env: dict[str, str], clean_postgres: str,
) -> None:
    # The pool sends its timeouts at connect, which PgBouncer refuses: without this check
    # `serve` died in its start-up with a ProtocolViolationError traceback.
    name = clean_postgres.rpartition("/")[2]
    port = free_port()
    url = f"postgresql://postgres:the-right-one@127.0.0.1:{port}/{name}"
    with password_gate(clean_postgres, "postgres", "the-right-one", port):
        [(_, done)] = at_once(env, url, [serve()])
    one_line(done, f'the database "{name}" at 127.0.0.1:{port} refused a setting sent at'
                   " connect (unsupported startup parameter: statement_timeout)",
             "set DATABASE_POOL_MODE=transaction, and DATABASE_DIRECT_URL to PostgreSQL itself")


@pytest.mark.parametrize(("url", "commands"), [
    (f"mysql://root:{PASSWORD}@127.0.0.1/elope", [serve(), ["migrate"], ["doctor"]]),
    (f"http://{PASSWORD}@127.0.0.1:5432/elope", [["seed"]]),
])
def test_a_url_of_another_kind_is_refused_before_anything_is_done(
    env: dict[str, str], url: str, commands: list[list[str]],
) -> None:
    scheme = url.partition(":")[0]
    for _, done in at_once(env, url, commands):
        one_line(done, "invalid configuration: DATABASE_URL: must be a PostgreSQL URL such as"
                       f" postgresql://USER:PASSWORD@HOST:5432/DATABASE, got a {scheme}:// URL")


def test_a_port_in_use_is_named_with_the_options_that_choose_another(
    env: dict[str, str], clean_postgres: str,
) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = elope(env, clean_postgres, ["serve", "--host", "127.0.0.1", "--port", str(port)])
    one_line(done, f"port {port} on 127.0.0.1 is already in use", "--port", "API_PORT")


def test_a_database_never_migrated_is_refused_by_serve_and_every_job_that_needs_the_schema(
    env: dict[str, str], fresh_database: str,
) -> None:
    name = fresh_database.rpartition("/")[2]
    runs = at_once(env, fresh_database, [serve(), *NEEDS_SCHEMA, ["doctor"]])
    says = (f'the database "{name}" at {where(fresh_database)} has none of its'
            f" {len(known_migrations())}"
            " migrations applied: run `elope migrate`")
    for _, done in runs[:-1]:
        line = one_line(done, says)
    doctor_says(runs[-1][1], line)


async def test_a_half_migrated_database_is_refused_until_it_is_migrated(
    env: dict[str, str], fresh_database: str,
) -> None:
    await apply_migrations(fresh_database)
    connection = await asyncpg.connect(fresh_database)
    try:
        await connection.execute("DELETE FROM migration WHERE name = $1", known_migrations()[-1])
    finally:
        await connection.close()

    refused = elope(env, fresh_database, serve())

    one_line(refused, f"has 1 of its {len(known_migrations())} migrations not applied: run"
                      " `elope migrate`")
    assert elope(env, fresh_database, ["migrate"]).returncode == 0
    assert elope(env, fresh_database, ["doctor"]).returncode == 0


@pytest.mark.parametrize(("args", "stdin", "words"), [
    (["webhooks", "replay", "--status", "bogus"], "",
     ["argument --status: invalid choice: 'BOGUS'", "'FAILED'", "elope webhooks replay --help"]),
    (["create-admin", "--email", "not-an-email", "--password", PASSWORD], "",
     ["argument --email: 'not-an-email' is not a valid email address"]),
    (["create-admin", "--email", EMAIL, "--password", "abc"], "",
     ["argument --password: a password needs at least 5 characters"]),
    (["create-admin", "--email", EMAIL], "abc\n", ["a password needs at least 5 characters"]),
])
def test_a_wrong_argument_or_value_is_one_line(
    env: dict[str, str], clean_postgres: str, args: list[str], stdin: str, words: list[str],
) -> None:
    one_line(elope(env, clean_postgres, args, stdin), *words)


def test_debug_shows_the_traceback_above_the_line(
    env: dict[str, str], postgres_admin_dsn: str,
) -> None:
    url = with_database(postgres_admin_dsn, f"elope_missing_{uuid.uuid4().hex[:8]}")
    done = elope(env, url, ["--debug", "migrate"])
    assert done.returncode == 2, done.stderr
    assert done.stderr.startswith("Traceback (most recent call last):")
    assert "asyncpg.exceptions.InvalidCatalogNameError" in done.stderr
    assert done.stderr.splitlines()[-1].startswith("elope: the database ")


def test_doctor_with_settings_it_cannot_read_is_one_line_and_2(env: dict[str, str]) -> None:
    done = subprocess.run([ELOPE, "doctor"], env={**env, "DATABASE_URL": "", "API_PORT": "x"},
                          capture_output=True, text=True, timeout=60)
    one_line(done, "invalid configuration: API_PORT")
