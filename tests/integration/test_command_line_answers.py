"""What the real `elope` console script says when nothing is wrong, against real PostgreSQL:
a job's one result line, and doctor's checklist - and nothing else on standard error."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from adapters.piccolo.migrations_runner import known_migrations
from tests.integration.command_line import elope, where
from tests.integration.conftest import real_environment
from tests.integration.servers import free_port


@pytest.fixture
def env(tmp_path: Path, stripe_api_base: str) -> dict[str, str]:
    """The real preset's environment; each test points DATABASE_URL at its database."""
    return {**os.environ, **real_environment("", tmp_path / "mail", stripe_api_base)}


def test_doctor_on_a_migrated_database_reports_it_its_pool_and_its_clock(
    env: dict[str, str], clean_postgres: str,
) -> None:
    name = clean_postgres.rpartition("/")[2]
    done = elope(env, clean_postgres, ["doctor"])
    assert done.returncode == 0, done.stdout + done.stderr
    lines = done.stdout.splitlines()
    assert (f'[ok] database: the database "{name}" at {where(clean_postgres)}, PostgreSQL'
            in done.stdout), done.stdout
    assert f"all {len(known_migrations())} migrations applied" in done.stdout
    assert any(line.startswith("[ok] database pool: 1-") and "max_connections" in line
               for line in lines), done.stdout
    assert any(line.startswith("[ok] clock: this machine's clock is") for line in lines)
    assert lines[-1] == "configuration is complete"


def test_a_job_that_succeeds_says_what_it_did_in_one_line_and_nothing_else(
    env: dict[str, str], clean_postgres: str,
) -> None:
    # At the default log level, as an operator runs them: each job used to log the database
    # library's "Running Postgres version" too.
    env = {**env, "LOG_LEVEL": "INFO"}
    for args, said in ((["seed"], "elope: demo catalog seeded"),
                       (["reconcile"], "elope: reconciled 0 holds"),
                       (["webhooks", "replay"], "elope: replayed 0 events")):
        done = elope(env, clean_postgres, args)
        assert done.returncode == 0, done.stdout + done.stderr
        assert done.stderr == "", done.stderr
        [line] = done.stdout.splitlines()
        assert line.startswith(said), line


def test_doctor_says_once_that_stripe_cannot_be_reached(
    env: dict[str, str], clean_postgres: str,
) -> None:
    env = {**env, "STRIPE_API_BASE": f"http://127.0.0.1:{free_port()}", "LOG_LEVEL": "INFO"}
    done = elope(env, clean_postgres, ["doctor"])
    assert done.returncode == 1, done.stdout + done.stderr
    assert any(line.startswith("[fail] payments: Stripe") for line in done.stdout.splitlines())
    # Only the checklist: the adapter's own warning line used to come first, on stderr.
    assert done.stderr == "", done.stderr


def test_doctor_reports_the_dead_letter_queue(
    env: dict[str, str], clean_postgres: str, tmp_path: Path,
) -> None:
    queue = tmp_path / "dead-letters"

    def dead_letter_line() -> tuple[int, str]:
        done = elope({**env, "DEAD_LETTER_DIR": str(queue)}, clean_postgres, ["doctor"])
        [line] = [x for x in done.stdout.splitlines() if "dead letters:" in x]
        return done.returncode, line

    # Not made yet: `serve` makes it on the first outage, and its folder is writable.
    assert dead_letter_line() == (0, f"[ok] dead letters: {queue} writable, 0 waiting"
                                     " (`elope serve` replays them every 30 s, `elope webhooks"
                                     " replay --dead-letters` at once)")
    queue.mkdir()
    (queue / "left-by-someone.json").write_text("{}")
    code, line = dead_letter_line()
    assert code == 1 and line.startswith(
        f"[fail] dead letters: 1 in {queue} cannot be replayed (left-by-someone.json: "), line
    (queue / "left-by-someone.json").unlink()
    queue.rmdir()
    queue.write_text("a file where the folder would go")
    queue = queue / "dead-letters"
    code, line = dead_letter_line()
    assert code == 1 and line.startswith(
        f"[fail] dead letters: {queue.parent} cannot be written by this user"), line
