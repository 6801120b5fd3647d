"""`elope doctor`: what the chosen preset needs, and what is missing."""

from __future__ import annotations

import asyncio

from adapters.piccolo.migrations_runner import pending_migrations
from entrypoints.integrations import Integrations
from entrypoints.settings import Settings, SettingsError, load_settings


async def _database_check(dsn: str) -> tuple[bool, str]:
    try:
        async with asyncio.timeout(5):
            pending = await pending_migrations(dsn)
    except Exception as exc:  # any failure here is the answer: say which, without secrets
        return False, f"database: cannot be reached ({type(exc).__name__})"
    if pending:
        return False, f"database: {len(pending)} migrations not applied; run `elope migrate`"
    return True, "database: reachable, schema up to date"


async def _integration_checks(settings: Settings) -> list[tuple[bool, str]]:
    """Per integration, the adapter in use and why; a live check of each real service."""
    integrations = Integrations.of(settings)
    try:
        async with asyncio.timeout(20):
            return [await integration.check() for integration in integrations]
    except TimeoutError:
        return [(False, "integrations: a live check did not answer within 20 s")]
    finally:
        await integrations.close()


def _checks(settings: Settings) -> list[tuple[bool, str]]:
    checks = [(True, f"preset: {settings.adapters_preset}"),
              (True, f"business time zone: {settings.business_timezone}"),
              (True, f"checkout hold: {settings.checkout_hold_minutes} minutes, horizon:"
                     f" {settings.booking_horizon_days} days")]
    if settings.is_mock:
        checks.append((True, "data in memory; Stripe, mail and calendar are local stand-ins"))
    checks.append((not settings.jwt_secret_is_ephemeral or settings.is_mock,
                   "JWT_SECRET set" if not settings.jwt_secret_is_ephemeral
                   else "JWT_SECRET not set (mock: an ephemeral secret is generated)"))
    checks.append((True, f"tracing: OTLP to {settings.otel_exporter_otlp_endpoint}"
                   if settings.otel_exporter_otlp_endpoint
                   else "tracing: not exported (OTEL_EXPORTER_OTLP_ENDPOINT unset)"))
    return checks


def run_doctor() -> int:
    try:
        settings = load_settings()
    except SettingsError as exc:
        print(f"[fail] {exc}")
        return 1
    ok = True
    checks = _checks(settings)
    if not settings.is_mock and settings.database_url is not None:
        checks.append(asyncio.run(_database_check(settings.database_url.get_secret_value())))
    checks.extend(asyncio.run(_integration_checks(settings)))
    if not settings.is_mock:
        checks.append((True, f"webhook endpoint to register at Stripe: {settings.base_url}"
                             "/v1/webhooks/stripe (checkout.session.completed, .expired,"
                             " .async_payment_succeeded, charge.refunded)"))
    for passed, line in checks:
        print(f"[{'ok' if passed else 'fail'}] {line}")
        ok = ok and passed
    print("configuration is complete" if ok else "configuration is incomplete")
    return 0 if ok else 1
