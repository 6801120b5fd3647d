"""What `elope` says about a database it cannot use: the database named by name and server,
never the password, with what to do; a DATABASE_URL that is not PostgreSQL's refused when the
settings are read."""

from __future__ import annotations

import errno
import socket

import asyncpg
import pytest

from adapters.piccolo.connection_problems import connection_problem
from adapters.piccolo.database_address import DatabaseAddress
from domain.errors import StorageUnavailable
from entrypoints.settings import SettingsError, load_settings

URL = "postgresql://shop:s3cret-pw@db.internal:6432/bookings"
ADDRESS = DatabaseAddress.of(URL)
REAL = {"adapters_preset": "real", "jwt_secret": "x" * 40, "stripe_secret_key": "sk_x",
        "stripe_webhook_secret": "whsec_x"}


def test_the_address_names_database_user_and_server_but_not_the_password() -> None:
    assert DatabaseAddress.of(URL) == DatabaseAddress("bookings", "shop", ("db.internal:6432",))
    assert str(ADDRESS) == 'the database "bookings" at db.internal:6432'
    assert "s3cret" not in repr(ADDRESS)


@pytest.mark.parametrize(("url", "expected"), [
    ("postgresql://u@h/db", DatabaseAddress("db", "u", ("h:5432",))),
    ("postgres://u@h", DatabaseAddress("u", "u", ("h:5432",))),  # the database is the user's
    ("postgresql://u@[::1]:5433/db", DatabaseAddress("db", "u", ("[::1]:5433",))),
    ("postgresql://u@a:1,b:2/db", DatabaseAddress("db", "u", ("a:1", "b:2"))),
    ("postgresql:///db?host=/run/postgresql&user=u",
     DatabaseAddress("db", "u", ("/run/postgresql:5432",))),
    ("postgresql://u@h/db?port=7000&dbname=other", DatabaseAddress("other", "u", ("h:7000",))),
])
def test_the_address_is_read_as_asyncpg_reads_the_url(url: str, expected: DatabaseAddress) -> None:
    assert DatabaseAddress.of(url) == expected


@pytest.mark.parametrize(("url", "says"), [
    ("mysql://root:s3cret-pw@localhost/shop", "got a mysql:// URL"),
    ("http://s3cret-pw@example.com/", "got a http:// URL"),
    ("localhost:5432/shop", "got a value without postgresql://"),
    ("postgresql://u:s3cret-pw@h:54x2/db", "the port '54x2' is not a number"),
])
def test_a_url_postgresql_cannot_take_is_refused_with_the_settings(url: str, says: str) -> None:
    with pytest.raises(SettingsError) as refused:
        load_settings(**REAL, database_url=url)
    message = str(refused.value)
    assert message.startswith("invalid configuration: DATABASE_URL: ") and says in message
    assert "postgresql://USER:PASSWORD@HOST:5432/DATABASE" in message
    assert "s3cret" not in message


@pytest.mark.parametrize(("error", "words"), [
    (asyncpg.InvalidCatalogNameError('database "bookings" does not exist'),
     ['the database "bookings" does not exist at db.internal:6432', "createdb bookings",
      "`elope migrate`", "correct DATABASE_URL"]),
    (asyncpg.InvalidPasswordError('password authentication failed for user "shop"'),
     ['refused the password of user "shop" for the database "bookings"', "db.internal:6432",
      "correct the user or the password in DATABASE_URL"]),
    # PgBouncer checking the password itself: its own code, the same meaning.
    (asyncpg.ProtocolViolationError("SASL authentication failed"),
     ['refused the password of user "shop" for the database "bookings"']),
    (asyncpg.InvalidAuthorizationSpecificationError('role "shop" does not exist'),
     ['refused user "shop" for the database "bookings" (role "shop" does not exist)',
      "create the role"]),
    (ConnectionRefusedError(errno.ECONNREFUSED, "Connect call failed"),
     ["nothing accepts connections at db.internal:6432", 'the database "bookings"',
      "start PostgreSQL there"]),
    (socket.gaierror(socket.EAI_NONAME, "Name or service not known"),
     ['the host of the database "bookings" at db.internal:6432 is unknown',
      "Name or service not known", "correct the host name"]),
    (TimeoutError(), ['the database "bookings" at db.internal:6432 did not answer in time',
                      "firewall"]),
    (OSError(errno.EHOSTUNREACH, "No route to host"),
     ['cannot reach the database "bookings" at db.internal:6432 (No route to host)']),
    (asyncpg.TooManyConnectionsError("sorry, too many clients already"),
     ["no connection left", "DB_POOL_MAX", "max_connections"]),
    (asyncpg.CannotConnectNowError("the database system is starting up"),
     ["not accepting connections yet", "starting up"]),
])
def test_each_way_a_connection_fails_is_one_sentence_that_says_what_to_do(
    error: BaseException, words: list[str],
) -> None:
    sentence = connection_problem(error, ADDRESS)
    assert sentence is not None
    for word in words:
        assert word in sentence
    assert "\n" not in sentence and "s3cret" not in sentence


def test_the_database_lost_in_the_middle_of_a_job_is_explained_through_what_caused_it() -> None:
    try:
        try:
            raise ConnectionRefusedError(errno.ECONNREFUSED, "Connect call failed")
        except OSError as exc:
            raise StorageUnavailable("the database is unavailable") from exc
    except StorageUnavailable as wrapped:
        sentence = connection_problem(wrapped, ADDRESS)
    assert sentence is not None and "nothing accepts connections at db.internal:6432" in sentence


@pytest.mark.parametrize("error", [
    ValueError("a bug"), asyncpg.UniqueViolationError("duplicate key"), KeyError("x"),
])
def test_what_is_not_the_database_refusing_is_left_to_its_traceback(error: Exception) -> None:
    assert connection_problem(error, ADDRESS) is None
