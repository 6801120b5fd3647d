"""`elope doctor` on the database it found: how far its clock is from this machine's, whether
one process's pool fits in the server's connections, and which migrations are missing."""

from __future__ import annotations

from dataclasses import replace

import pytest

from adapters.piccolo.database_address import DatabaseAddress
from entrypoints.cli.database_check import DatabaseState
from entrypoints.cli.doctor import clock_check, pool_check
from entrypoints.settings import load_settings

STATE = DatabaseState(
    address=DatabaseAddress("elope", "postgres", ("127.0.0.1:5432",)),
    known=("m1", "m2", "m3"), applied=frozenset({"m1", "m2", "m3"}), server_version="16.4",
    clock_ahead=0.01, clock_uncertainty=0.001, max_connections=100, reserved_connections=3,
    connections_in_use=20)


@pytest.mark.parametrize(("ahead", "passed", "words"), [
    (0.2, True, "0.200 s behind the database's (limit 2 s)"),
    (-1.9, True, "1.900 s ahead of the database's"),
    (5.0, False, "5.000 s behind the database's (limit 2 s): keep both in time with NTP"),
    (-3.0, False, "3.000 s ahead of the database's"),
    (0.0001, True, "in step with the database's (limit 2 s)"),
])
def test_a_clock_more_than_two_seconds_from_the_databases_fails(
    ahead: float, passed: bool, words: str,
) -> None:
    ok, line = clock_check(replace(STATE, clock_ahead=ahead))
    assert ok is passed and words in line


def test_a_slow_round_trip_is_not_counted_as_skew() -> None:
    # 2.4 s apart as measured, but the answer took 1 s to come back: it may be 1.9 s.
    assert clock_check(replace(STATE, clock_ahead=2.4, clock_uncertainty=0.5))[0] is True


def test_the_pool_says_its_settings_and_how_many_processes_fit() -> None:
    settings = load_settings(db_pool_min=2, db_pool_max=10)
    ok, line = pool_check(settings, STATE)
    assert ok
    assert "2-10 connections per process" in line and "up to 11 per `serve` process" in line
    assert "the server takes 97 (max_connections 100, 3 reserved), 20 in use now" in line
    assert "room for 7 more such processes" in line


def test_a_pool_larger_than_the_server_takes_fails() -> None:
    settings = load_settings(db_pool_max=200)
    ok, line = pool_check(settings, STATE)
    assert not ok and "not even one process fits - lower DB_POOL_MAX" in line


def test_without_a_database_the_pool_line_is_its_settings_only() -> None:
    ok, line = pool_check(load_settings(), None)
    assert ok and "max_connections" not in line and "statement timeout 5000 ms" in line


def test_a_database_without_some_or_any_migrations_is_told_to_run_migrate() -> None:
    assert STATE.schema_problem() is None
    half = replace(STATE, applied=frozenset({"m1"}))
    assert half.schema_problem() == ('the database "elope" at 127.0.0.1:5432 has 2 of its 3'
                                     " migrations not applied: run `elope migrate`")
    empty = replace(STATE, applied=frozenset())
    assert empty.schema_problem() == ('the database "elope" at 127.0.0.1:5432 has none of its 3'
                                      " migrations applied: run `elope migrate`")
