"""DATABASE_URL, DATABASE_DIRECT_URL and DATABASE_POOL_MODE: behind a transaction pooler the
connections that need a session go to PostgreSQL directly, and a configuration that would
send them through the pooler stops start-up with one line."""

from __future__ import annotations

import pytest

from entrypoints.settings import SettingsError, load_settings

REAL = {"adapters_preset": "real", "jwt_secret": "j" * 40, "stripe_secret_key": "sk_test_x",
        "stripe_webhook_secret": "whsec_x"}
POOLER = "postgresql://elope@pgbouncer.internal:6432/elope"
DIRECT = "postgresql://elope@db.internal:5432/elope"


def test_sessions_use_the_database_url_when_no_direct_url_is_given() -> None:
    settings = load_settings(**REAL, database_url=DIRECT)
    assert (settings.session_database_url, settings.transaction_pooling) == (DIRECT, False)


def test_sessions_use_the_direct_url_when_one_is_given() -> None:
    settings = load_settings(**REAL, database_url=POOLER, database_direct_url=DIRECT,
                             database_pool_mode="transaction")
    assert (settings.session_database_url, settings.transaction_pooling) == (DIRECT, True)


def test_a_transaction_pooler_without_a_direct_url_stops_start_up_with_one_line() -> None:
    with pytest.raises(SettingsError) as refused:
        load_settings(**REAL, database_url=POOLER, database_pool_mode="transaction")
    assert str(refused.value) == (
        "invalid configuration: DATABASE_POOL_MODE=transaction needs DATABASE_DIRECT_URL:"
        " LISTEN and session locks cannot go through a transaction pooler")


def test_an_unknown_pool_mode_is_named() -> None:
    with pytest.raises(SettingsError, match=r"^invalid configuration: DATABASE_POOL_MODE: "):
        load_settings(**REAL, database_url=POOLER, database_pool_mode="statement")
