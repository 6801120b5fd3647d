"""What each `elope` sub-command does."""

from __future__ import annotations

import asyncio
import importlib
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import uvicorn

from adapters.piccolo.database import startup_parameters
from adapters.piccolo.migrations_runner import apply_migrations
from application import commands as c
from application.commands import DeadLetterReport, ReconcileReport
from application.handlers.admin_access import acceptable_password
from application.ids import new_id
from domain.webhook_event import WebhookStatus
from entrypoints.bootstrap import Elope, bootstrap
from entrypoints.cli import worker_processes
from entrypoints.cli.database_check import inspect_database, require_migrated
from entrypoints.cli.mistake import Mistake
from entrypoints.cli.password_input import read_password
from entrypoints.cli.worker_metrics import shared_metrics_directory
from entrypoints.demo_catalog import seed_demo_catalog
from entrypoints.settings import Settings, load_settings
from entrypoints.telemetry_setup import start_telemetry

MOCK_IS_IN_MEMORY = (
    "the mock preset keeps nothing between processes: its data lives in the memory of"
    " `elope serve`, which seeds it with the demo catalog and the ADMIN_EMAIL admin at start"
)
# What the mock preset cannot do from a separate process; said as a mistake (exit code 2),
# not as "done" (0): the operator asked for an effect that cannot happen here, and a script
# that runs the command must not read it as done.
MOCK_KEEPS_NOTHING = (
    "the mock preset keeps nothing between processes: {nothing} (the running `elope serve`"
    " {itself}); set ADAPTERS_PRESET=real and DATABASE_URL to {goal}"
)


def serve(settings: Settings, host: str, port: int | None, workers: int) -> int:
    """Check what would otherwise fail inside uvicorn - settings, the port, the database -
    and then serve until stopped."""
    if settings.is_mock and workers > 1:
        raise Mistake("the mock preset keeps its data in one process's memory and runs one"
                      " worker only: leave out --workers, or set ADAPTERS_PRESET=real")
    port = port or settings.api_port
    # The workers import the app themselves and read the same environment; the port they
    # announce must match the one they listen on.
    os.environ["API_PORT"] = str(port)
    load_settings()  # fail in the parent with one line, not in every worker
    problem = worker_processes.unavailable(host, port)
    if problem:  # one line here, not a traceback from each worker
        raise Mistake(problem)
    if not settings.is_mock:
        # One look before uvicorn starts: a mistake is then one line, not the traceback of
        # the app's start-up in every worker.
        asyncio.run(require_database(settings))
    loop, http = server_implementations()
    if workers == 1:
        return _uvicorn(host, port, workers, loop, http)
    # Before the first worker starts: each scrape reaches one worker, and reports them all.
    with shared_metrics_directory() as metrics_directory:
        if worker_processes.spreads_connections():
            # A socket per worker, so new connections are spread across them (see the module).
            plan = worker_processes.WorkerPlan(host=host, port=port, loop=loop, http=http)
            return worker_processes.Supervisor(plan, workers, metrics_directory).run()
        return _uvicorn(host, port, workers, loop, http)


def _uvicorn(host: str, port: int, workers: int, loop: str, http: str) -> int:
    uvicorn.run(worker_processes.APP, factory=True, host=host, port=port,
                workers=workers, loop=loop, http=http, log_config=None, access_log=False,
                proxy_headers=worker_processes.PROXY_HEADERS)
    return 0


async def require_database(settings: Settings) -> None:
    """Both ways to PostgreSQL reachable, and the schema fully migrated; else a Mistake. The
    direct URL (the listener's, behind a transaction pooler) is looked at when it differs."""
    assert settings.database_url is not None  # the real preset's settings require it
    pooled = settings.database_url.get_secret_value()
    # Connecting as the pool will: PgBouncer in transaction mode taken for PostgreSQL itself
    # refuses the timeouts sent at connect, and that is said in one line here.
    await require_migrated(pooled, startup_parameters(
        settings.db_statement_timeout_ms, settings.db_lock_timeout_ms,
        settings.transaction_pooling))
    if settings.session_database_url not in (None, pooled):
        await inspect_database(settings.session_database_url)


def server_implementations() -> tuple[str, str]:
    """uvicorn's event loop and HTTP parser: uvloop and httptools (compiled, less CPU per
    request) where they import, else asyncio's own loop and the pure-Python h11. Named here
    rather than left to uvicorn's "auto", so the choice is ours and does not move with it."""
    return ("uvloop" if _importable("uvloop") else "asyncio",
            "httptools" if _importable("httptools") else "h11")


def _importable(module: str) -> bool:
    # Imported, not just found: a wheel built for another platform is found but fails here.
    try:
        importlib.import_module(module)
    except ImportError:
        return False
    return True


async def migrate(settings: Settings) -> int:
    if settings.is_mock or settings.session_database_url is None:
        print(f"elope: nothing to migrate: {MOCK_IS_IN_MEMORY}")
        return 0
    # Directly to PostgreSQL: the migration lock is held for the session.
    url = settings.session_database_url
    await inspect_database(url)  # reachable, in one line if not, before the migrations run
    applied = await apply_migrations(url)
    print(f"elope: {len(applied)} migrations applied" + (f" ({', '.join(applied)})" if applied
                                                        else "; the schema is up to date"))
    return 0


@asynccontextmanager
async def running(settings: Settings) -> AsyncIterator[Elope]:
    """An Elope for one command-line job, its database pool open for the job's length. What
    the job wrote to the outbox (a replayed booking's email) is delivered before it ends.
    Its spans are exported as `serve`'s are: a replayed or reconciled booking is followed
    in the same tracing UI."""
    start_telemetry(settings)
    elope = bootstrap(settings)
    await elope.start()
    try:
        yield elope
        await elope.relay.drain()
    finally:
        await elope.stop()


async def seed(settings: Settings) -> int:
    if settings.is_mock:
        print(f"elope: nothing to seed: {MOCK_IS_IN_MEMORY}")
        return 0
    await require_database(settings)
    async with running(settings) as elope:
        created = await seed_demo_catalog(elope.bus, elope.uow, elope.clock.now().date())
    print(f"elope: demo catalog seeded ({created} packages created)")
    return 0


async def create_admin(settings: Settings, email: str, password: str | None) -> int:
    if settings.is_mock:
        raise Mistake(MOCK_KEEPS_NOTHING.format(
            nothing="an admin created here would be gone when this command ends",
            itself="has the admin ADMIN_EMAIL / ADMIN_PASSWORD", goal="keep admins in PostgreSQL"))
    # The database first, so nobody types a password twice to learn it is missing; the
    # password before the pool is opened, so a prompt does not hold one open.
    await require_database(settings)
    password = acceptable_password(read_password() if password is None else password)
    async with running(settings) as elope:
        user = await elope.bus.handle(c.CreateAdmin(email=email, password=password,
                                                    correlation_id=new_id("cli")))
    print(f"elope: admin {user.email} ready; tokens it was given before no longer work")
    return 0


async def replay_webhooks(settings: Settings, status: str) -> int:
    if settings.is_mock:
        raise Mistake(MOCK_KEEPS_NOTHING.format(
            nothing="there are no stored events here to replay",
            itself="processes and retries its own", goal="replay the events PostgreSQL keeps"))
    await require_database(settings)
    failed = 0
    async with running(settings) as elope:
        ids = await elope.queries.webhooks.ids_with_status(WebhookStatus(status.upper()))
        for event_id in ids:
            try:
                ack = await elope.bus.handle(c.ReplayStripeEvent(event_id=event_id,
                                                                 correlation_id=new_id("cli")))
                print(f"{event_id}: {ack.status.value}")
            except Exception as exc:
                failed += 1
                print(f"{event_id}: still failing ({type(exc).__name__})")
    print(f"elope: replayed {len(ids)} events, {failed} still failing")
    return 1 if failed else 0


async def replay_dead_letters(settings: Settings) -> int:
    if settings.is_mock:
        # The files are there, but the inbox they go into lives in the serving process.
        raise Mistake(MOCK_KEEPS_NOTHING.format(
            nothing="its webhook inbox lives in the serving process",
            itself=f"delivers {settings.dead_letter_dir} into it itself",
            goal="deliver them into PostgreSQL's inbox"))
    await require_database(settings)
    async with running(settings) as elope:
        report: DeadLetterReport = await elope.bus.handle(
            c.ReplayDeadLetters(correlation_id=new_id("cli")))
    for letter in report.letters:
        print(f"{letter.name}: {letter.action} - {letter.detail}")
    print(f"elope: {len(report.letters)} dead letters in {settings.dead_letter_dir}:"
          f" {report.count('delivered')} delivered, {report.count('kept')} kept,"
          f" {report.count('left')} left unreadable")
    return 1 if report.count("kept") or report.count("left") else 0


async def reconcile(settings: Settings) -> int:
    if settings.is_mock:
        raise Mistake(MOCK_KEEPS_NOTHING.format(
            nothing="there are no holds here to reconcile",
            itself="reconciles its own every RECONCILE_INTERVAL_SECONDS",
            goal="reconcile the holds PostgreSQL keeps"))
    await require_database(settings)
    async with running(settings) as elope:
        report: ReconcileReport = await elope.bus.handle(
            c.ReconcileHolds(correlation_id=new_id("cli")))
    for hold in report.holds:
        print(f"{hold.session_id} ({hold.event_date}): {hold.action} - {hold.detail}")
    print(f"elope: reconciled {len(report.holds)} holds: {report.completed} completed,"
          f" {report.released} released, {report.count('kept')} kept, {report.failed} failed")
    # A hold that failed is retried by the next round; the command itself did its job.
    return 0
