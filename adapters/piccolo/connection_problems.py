"""Why a connection to PostgreSQL failed, as the one sentence an operator reads: which database
(by name and server, never the password) and what to do about it. Shared by every `elope`
command and by `elope doctor`, so they all say the same thing about the same mistake."""

from __future__ import annotations

import errno
import socket
from collections.abc import Iterator

import asyncpg

from adapters.piccolo.database_address import DatabaseAddress

FIX_URL = "correct DATABASE_URL"


def connection_problem(exc: BaseException, address: DatabaseAddress) -> str | None:
    """The sentence for `exc` - or for the error that caused it (a StorageUnavailable raised
    from asyncpg's) - when it is the database refusing or not answering; None for anything
    else, which is not the operator's mistake and keeps its traceback."""
    for error in _chain(exc):
        sentence = _sentence(error, address)
        if sentence is not None:
            return sentence
    return None


def _chain(exc: BaseException) -> Iterator[BaseException]:
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        current = current.__cause__ or current.__context__


def _sentence(error: BaseException, at: DatabaseAddress) -> str | None:
    said = _server_said(error)
    if isinstance(error, asyncpg.InvalidCatalogNameError):
        return (f'the database "{at.database}" does not exist at {at.where}: create it'
                f' (createdb {at.database}) and run `elope migrate`, or {FIX_URL}')
    # PgBouncer refuses a password with its own code (08P01) and these words.
    refused = isinstance(error, asyncpg.PostgresError) and "authentication failed" in said
    if isinstance(error, asyncpg.InvalidPasswordError) or refused:
        return (f'PostgreSQL at {at.where} refused the password of user "{at.user}" for'
                f" {at.named}: correct the user or the password in DATABASE_URL")
    if isinstance(error, asyncpg.InvalidAuthorizationSpecificationError):
        return (f'PostgreSQL at {at.where} refused user "{at.user}" for {at.named} ({said}):'
                " correct the user in DATABASE_URL, or create the role")
    if isinstance(error, asyncpg.InsufficientPrivilegeError):
        return (f'user "{at.user}" may not use {at} ({said}): grant it the privilege,'
                f" or {FIX_URL}")
    if isinstance(error, asyncpg.TooManyConnectionsError):
        return (f"{at} has no connection left ({said}): lower DB_POOL_MAX or the number of"
                " workers, or raise the server's max_connections")
    if isinstance(error, asyncpg.CannotConnectNowError):
        return f"{at} is not accepting connections yet ({said}): try again once it has started"
    if isinstance(error, asyncpg.ProtocolViolationError) and "startup parameter" in said:
        # PgBouncer takes none of the timeouts at connect, whatever its pool mode.
        return (f"{at} refused a setting sent at connect ({said}): it looks like a pooler"
                " such as PgBouncer, which Elope goes through in transaction mode: set"
                " DATABASE_POOL_MODE=transaction, and DATABASE_DIRECT_URL to PostgreSQL itself")
    if isinstance(error, asyncpg.ClientConfigurationError):
        return f"DATABASE_URL cannot be used: {said}"
    if isinstance(error, TimeoutError):
        return (f"{at} did not answer in time: check the host and port in DATABASE_URL and"
                " any firewall between")
    if isinstance(error, socket.gaierror):
        return (f"the host of {at} is unknown ({error.strerror or error}): correct the host"
                " name in DATABASE_URL")
    if isinstance(error, ConnectionRefusedError):
        return (f"nothing accepts connections at {at.where}, where DATABASE_URL puts"
                f" {at.named}: start PostgreSQL there, or {FIX_URL}")
    if isinstance(error, OSError):
        reason = error.strerror or str(error) or type(error).__name__
        hint = ("start PostgreSQL, or correct the socket directory in DATABASE_URL"
                if error.errno == errno.ENOENT else FIX_URL)
        return f"cannot reach {at} ({reason}): {hint}"
    if isinstance(error, asyncpg.PostgresConnectionError | asyncpg.AdminShutdownError):
        return f"lost the connection to {at} ({said}): check that PostgreSQL is up"
    return None


def _server_said(error: BaseException) -> str:
    # PostgreSQL's own words (role "x" does not exist; no pg_hba.conf entry for host ...)
    # name the role, the host and the database at most, never a password.
    return " ".join(str(error).split()) or type(error).__name__
