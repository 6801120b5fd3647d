"""`elope doctor`: what the chosen preset needs, and what is missing - one `[ok]` or `[fail]`
line per check, for an operator before the first start and after each change."""

from __future__ import annotations

import asyncio
import logging

from entrypoints.cli.database_check import DatabaseState, inspect_database
from entrypoints.cli.dead_letter_check import dead_letter_check
from entrypoints.cli.mistake import Mistake
from entrypoints.integrations import Integrations
from entrypoints.settings import Settings

Check = tuple[bool, str]

# Hosts kept in time by NTP agree within milliseconds; seconds apart means one is not. Hold
# expiry and the rate-limit windows compare this machine's clock with the database's, and
# several instances compare theirs through the database.
CLOCK_SKEW_LIMIT_SECONDS = 2.0
# Beside its pool, each `serve` process keeps one connection open for LISTEN/NOTIFY.
LISTENING_CONNECTIONS = 1


def _settings_checks(settings: Settings) -> list[Check]:
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


async def _database_checks(settings: Settings, url: str) -> list[Check]:
    try:
        state = await inspect_database(url)
    except Mistake as exc:
        return [(False, f"database: {exc}"), pool_check(settings, None)]
    problem = state.schema_problem()
    return [(problem is None, f"database: {problem}" if problem else
             f"database: {state.address}, PostgreSQL {state.server_version.split()[0]},"
             f" all {len(state.known)} migrations applied"),
            pool_check(settings, state), clock_check(state)]


def pool_check(settings: Settings, state: DatabaseState | None) -> Check:
    """The pool settings, and whether one process's connections fit in what the server
    takes (unknown when the database could not be reached: then only the settings)."""
    per_process = settings.db_pool_max + LISTENING_CONNECTIONS
    pool = (f"database pool: {settings.db_pool_min}-{settings.db_pool_max} connections per"
            f" process (DB_POOL_MIN, DB_POOL_MAX) and {LISTENING_CONNECTIONS} listening, so up"
            f" to {per_process} per `serve` process or worker; statement timeout"
            f" {settings.db_statement_timeout_ms} ms, lock timeout {settings.db_lock_timeout_ms}"
            " ms")
    if state is None:
        return True, pool
    open_to_us = state.max_connections - state.reserved_connections
    room = max(0, open_to_us - state.connections_in_use) // per_process
    server = (f"the server takes {open_to_us} (max_connections {state.max_connections},"
              f" {state.reserved_connections} reserved), {state.connections_in_use} in use now")
    if per_process > open_to_us:
        return False, (f"{pool}; {server}: not even one process fits - lower DB_POOL_MAX or"
                       " raise max_connections")
    return True, f"{pool}; {server}: room for {room} more such processes"


def clock_check(state: DatabaseState) -> Check:
    """This machine's clock against the database's; fails beyond CLOCK_SKEW_LIMIT_SECONDS
    (the round trip's share of the measurement given the benefit of the doubt)."""
    apart = abs(state.clock_ahead)
    direction = "behind" if state.clock_ahead > 0 else "ahead of"
    measured = (f"{apart:.3f} s {direction} the database's" if apart >= 0.0005
                else "in step with the database's") + f" (limit {CLOCK_SKEW_LIMIT_SECONDS:g} s)"
    if apart - state.clock_uncertainty > CLOCK_SKEW_LIMIT_SECONDS:
        return False, (f"clock: this machine's clock is {measured}: keep both in time with NTP"
                       " (chrony, systemd-timesyncd): hold expiry and rate-limit windows compare"
                       " the two, and Stripe's signatures are checked against this clock")
    return True, f"clock: this machine's clock is {measured}"


async def _integration_checks(settings: Settings) -> list[Check]:
    """Per integration, the adapter in use and why; a live check of each real service."""
    integrations = Integrations.of(settings)
    try:
        async with asyncio.timeout(20):
            return [await integration.check() for integration in integrations]
    except TimeoutError:
        return [(False, "integrations: a live check did not answer within 20 s")]
    finally:
        await integrations.close()


async def _all_checks(settings: Settings) -> list[Check]:
    checks = _settings_checks(settings)
    if not settings.is_mock and settings.database_url is not None:
        checks.extend(await _database_checks(settings, settings.database_url.get_secret_value()))
    checks.extend(await _integration_checks(settings))
    if not settings.is_mock:
        checks.append(await dead_letter_check(settings))
        checks.append((True, f"webhook endpoint to register at Stripe: {settings.base_url}"
                             "/v1/webhooks/stripe (checkout.session.completed, .expired,"
                             " .async_payment_succeeded, charge.refunded)"))
    return checks


def run_doctor(settings: Settings) -> int:
    """Print every check; 0 when all pass, 1 when something is missing. (Settings that cannot
    be read never get here: that is a mistake, one line and 2, like every command's.)"""
    # Each check's line says what failed; an adapter's own warning about the same failure
    # would only repeat it, out of order, on stderr.
    logging.disable(logging.WARNING)
    try:
        checks = asyncio.run(_all_checks(settings))
    finally:
        logging.disable(logging.NOTSET)
    for passed, line in checks:
        print(f"[{'ok' if passed else 'fail'}] {line}")
    ok = all(passed for passed, _ in checks)
    print("configuration is complete" if ok else "configuration is incomplete")
    return 0 if ok else 1
