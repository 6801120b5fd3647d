"""The ASGI application as uvicorn loads it (`entrypoints.asgi:create_asgi_app`)."""

from __future__ import annotations

import asyncio
import logging

from adapters.telemetry.otel_tracing import flush_spans
from adapters.telemetry.request_id_middleware import RequestIdMiddleware
from application import commands as c
from entrypoints.bootstrap import Elope, bootstrap
from entrypoints.demo_catalog import seed_demo_catalog
from entrypoints.http.app import create_asgi
from entrypoints.settings import MOCK_WEBHOOK_SECRET, Settings, load_settings
from entrypoints.telemetry_setup import start_telemetry

log = logging.getLogger("elope")


async def prepare_mock_preset(elope: Elope) -> None:
    """The mock preset starts with the demo catalog and an admin, so it is usable at once."""
    settings = elope.settings
    await seed_demo_catalog(elope.bus, elope.uow, elope.clock.now().date())
    await elope.bus.handle(c.CreateAdmin(
        email=settings.admin_email, password=settings.admin_password.get_secret_value(),
        correlation_id="startup"))


def announce(elope: Elope) -> None:
    """One line per integration (which adapter, and why), and what the mock preset offers."""
    settings = elope.settings
    for integration in elope.integrations:
        if integration.real or settings.is_mock:
            log.info("%s: %s", integration.name, integration.description)
        else:
            log.warning("%s: %s", integration.name, integration.description)
    if settings.is_mock:
        log.info("mock preset: in-memory data, mail in %s", settings.mail_sink_dir.resolve())
        log.info("mock preset: admin %s (password from ADMIN_PASSWORD)", settings.admin_email)
        if settings.webhook_secret == MOCK_WEBHOOK_SECRET:
            log.info("mock preset: webhook signing secret is %s", MOCK_WEBHOOK_SECRET)
    if settings.jwt_secret_is_ephemeral:
        log.warning("JWT_SECRET is not set: using an ephemeral secret; tokens die with the"
                    " process")


def create_asgi_app(settings: Settings | None = None) -> RequestIdMiddleware:
    settings = settings or load_settings()
    start_telemetry(settings)
    elope = bootstrap(settings)

    async def on_startup() -> None:
        announce(elope)
        if settings.is_mock:
            await prepare_mock_preset(elope)
        log.info("Elope listening on %s", settings.base_url)

    async def on_shutdown() -> None:
        # Last, once the relay and the background loops have made their final spans.
        await asyncio.to_thread(flush_spans)

    return create_asgi(elope, on_startup=[on_startup], on_shutdown=[on_shutdown])
