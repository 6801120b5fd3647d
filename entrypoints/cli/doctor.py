"""`elope doctor`: what the chosen preset needs, and what is missing."""

from __future__ import annotations

import asyncio

from adapters.piccolo.migrations_runner import pending_migrations
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


def _checks(settings: Settings) -> list[tuple[bool, str]]:
    checks = [(True, f"preset: {settings.adapters_preset}"),
              (True, f"business time zone: {settings.business_timezone}"),
              (True, f"checkout hold: {settings.checkout_hold_minutes} minutes, horizon:"
                     f" {settings.booking_horizon_days} days")]
    if settings.is_mock:
        checks.append((True, "data in memory; Stripe, mail and calendar are local fakes"))
    else:
        checks.append((True, "payments: the local Stripe stand-in (the Stripe adapter is not"
                             " wired yet); webhooks are verified against STRIPE_WEBHOOK_SECRET"))
    checks.append((not settings.jwt_secret_is_ephemeral or settings.is_mock,
                   "JWT_SECRET set" if not settings.jwt_secret_is_ephemeral
                   else "JWT_SECRET not set (mock: an ephemeral secret is generated)"))
    checks.append((True, "mail: Postmark" if settings.postmark_server_token
                   else f"mail: files under {settings.mail_sink_dir} (POSTMARK_SERVER_TOKEN unset)"))
    has_calendar = bool(settings.google_calendar_id and settings.google_service_account_json_base64)
    checks.append((True, "calendar: Google Calendar" if has_calendar
                   else "calendar: mock (GOOGLE_CALENDAR_ID / GOOGLE_SERVICE_ACCOUNT_JSON_BASE64 unset)"))
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
    for passed, line in checks:
        print(f"[{'ok' if passed else 'fail'}] {line}")
        ok = ok and passed
    print("configuration is complete" if ok else "configuration is incomplete")
    return 0 if ok else 1
