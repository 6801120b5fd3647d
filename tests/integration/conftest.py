"""Integration fixtures: the real preset on real PostgreSQL, in this process or as separate
server processes (for what only separate processes can show: crashes, restarts, two
instances racing on one database)."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from adapters.settable_clock import SettableClock
from entrypoints.asgi import prepare_mock_preset
from entrypoints.bootstrap import Elope, bootstrap
from entrypoints.http.app import create_asgi
from entrypoints.settings import Settings, load_settings
from tests.conftest import ADMIN_EMAIL, ADMIN_PASSWORD, MANY_CLIENTS_AT_ONCE
from tests.fakes.stripe_server import FakeStripe, FakeStripePort
from tests.integration.outage import Outage
from tests.integration.supervised_server import Served

WEBHOOK_SECRET = "whsec_integration_tests_secret"
JWT_SECRET = "integration-tests-jwt-secret-0123456789"


STRIPE_SECRET_KEY = "sk_test_integration"


def real_environment(dsn: str, mail_dir: Path, stripe_api_base: str) -> dict[str, str]:
    """The environment a real-preset process gets (as strings, as a shell would give it);
    its Stripe is the local fake at `stripe_api_base`."""
    return {
        "ADAPTERS_PRESET": "real", "DATABASE_URL": dsn, "JWT_SECRET": JWT_SECRET,
        "STRIPE_SECRET_KEY": STRIPE_SECRET_KEY, "STRIPE_WEBHOOK_SECRET": WEBHOOK_SECRET,
        "STRIPE_API_BASE": stripe_api_base,
        "MAIL_SINK_DIR": str(mail_dir), "ADMIN_EMAIL": ADMIN_EMAIL,
        "ADMIN_PASSWORD": ADMIN_PASSWORD, "LOG_LEVEL": "WARNING",
        "OUTBOX_RELAY_INTERVAL_SECONDS": "1",
        **{key.upper(): str(value) for key, value in MANY_CLIENTS_AT_ONCE.items()},
        "DEAD_LETTER_DIR": str(mail_dir.parent / "dead-letters"),
    }


@pytest.fixture
def fake_stripe(stripe_port: tuple[FakeStripePort, str]) -> FakeStripe:
    """This test's Stripe: a fresh fake behind the process's local Stripe server."""
    return stripe_port[0].fresh(STRIPE_SECRET_KEY, WEBHOOK_SECRET)


@pytest.fixture
def stripe_api_base(stripe_port: tuple[FakeStripePort, str], fake_stripe: FakeStripe) -> str:
    return stripe_port[1]


@pytest.fixture
def real_settings(clean_postgres: str, tmp_path: Path, stripe_api_base: str) -> Settings:
    env = real_environment(clean_postgres, tmp_path / "mail", stripe_api_base)
    return load_settings(**{key.lower(): value for key, value in env.items()})


@pytest.fixture
def clock() -> SettableClock:
    return SettableClock(dt.datetime.now(dt.UTC))


MakeElope = Callable[..., Awaitable[Elope]]


@pytest.fixture
async def make_elope(real_settings: Settings, clock: SettableClock) -> AsyncIterator[MakeElope]:
    """Start a real-preset Elope (its own pool and in-process lanes, like a separate server
    instance on the same database); every one started is stopped at teardown."""
    started: list[Elope] = []

    async def make(**overrides: Any) -> Elope:
        elope = bootstrap(real_settings, clock=clock, **overrides)
        await elope.start()
        started.append(elope)
        return elope

    yield make
    for instance in started:
        await instance.stop()


@pytest.fixture
async def elope(make_elope: MakeElope) -> Elope:
    """A real-preset Elope with the demo catalog and an admin."""
    app = await make_elope()
    await prepare_mock_preset(app)
    return app


@pytest.fixture
async def outage(postgres_admin_dsn: str, clean_postgres: str) -> AsyncIterator[Outage]:
    """This test's database, made to go away and come back (always back at teardown)."""
    control = Outage(postgres_admin_dsn, clean_postgres.rsplit("/", 1)[1].split("?", 1)[0])
    try:
        yield control
    finally:
        await control.end()


@pytest.fixture
async def client(elope: Elope) -> AsyncIterator[httpx.AsyncClient]:
    """HTTP into `elope` in this process, with no background loops (a test drives them)."""
    transport = httpx.ASGITransport(app=create_asgi(elope, run_background=False))
    async with httpx.AsyncClient(transport=transport, base_url="http://elope.test") as http:
        yield http


@pytest.fixture
def served(clean_postgres: str, tmp_path: Path, stripe_api_base: str) -> Iterator[Served]:
    """`elope serve --workers 2` on the real preset, this test's database and fake Stripe; its
    temporary files (the workers' metrics) in the test's directory, `tmp_path / "tmp"`."""
    (tmp_path / "tmp").mkdir()
    env = real_environment(clean_postgres, tmp_path / "mail", stripe_api_base)
    server = Served({**env, "TMPDIR": str(tmp_path / "tmp")})
    yield server
    server.stop_now()
