"""The settings that say how Elope reaches PostgreSQL: the pooled URL its requests use, and the
direct one for what needs a session of its own.

Behind PgBouncer in transaction mode a client's statements may run on a different server
connection from one transaction to the next, so nothing that lives in a session works there:
LISTEN, session advisory locks (the processor's liveness lock, `migrate`'s lock), named
prepared statements (asyncpg's statement cache) and settings sent at connect time. Those go
to DATABASE_DIRECT_URL, and the pooled connections do without (adapters/piccolo/database.py).
"""

from __future__ import annotations

from typing import Literal

from pydantic import SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings

from adapters.piccolo.database_address import DatabaseAddress


class DatabaseSettings(BaseSettings):
    # Where requests' connections come from: PostgreSQL itself, or a pooler in front of it.
    database_url: SecretStr | None = None
    # PostgreSQL itself, for the one listening connection per process (LISTEN/NOTIFY and the
    # processor's liveness lock) and `elope migrate`; unset: DATABASE_URL.
    database_direct_url: SecretStr | None = None
    # "transaction": DATABASE_URL is a pooler in transaction mode (PgBouncer pool_mode =
    # transaction); "session": PostgreSQL itself or a session-mode pooler.
    database_pool_mode: Literal["session", "transaction"] = "session"

    @field_validator("database_url", "database_direct_url")
    @classmethod
    def _postgres_url(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and value.get_secret_value():
            DatabaseAddress.of(value.get_secret_value())  # mysql://, http://: stop here, named
        return value

    @model_validator(mode="after")
    def _sessions_need_a_direct_url(self) -> DatabaseSettings:
        if self.database_pool_mode == "transaction" and not _given(self.database_direct_url):
            raise ValueError("DATABASE_POOL_MODE=transaction needs DATABASE_DIRECT_URL: LISTEN and"
                             " session locks cannot go through a transaction pooler")
        return self

    @property
    def transaction_pooling(self) -> bool:
        """Whether the pooled connections may change server connection between transactions."""
        return self.database_pool_mode == "transaction"

    @property
    def session_database_url(self) -> str | None:
        """The URL for connections that need a session: DATABASE_DIRECT_URL, else DATABASE_URL."""
        for url in (self.database_direct_url, self.database_url):
            if _given(url):
                assert url is not None
                return url.get_secret_value()
        return None


def _given(value: SecretStr | None) -> bool:
    return value is not None and bool(value.get_secret_value())
