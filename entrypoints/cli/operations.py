"""What each `elope` sub-command does."""

from __future__ import annotations

import importlib
import os
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import uvicorn

from adapters.piccolo.migrations_runner import apply_migrations
from application import commands as c
from application.commands import DeadLetterReport, ReconcileReport
from application.ids import new_id
from domain.errors import ValidationFailed
from domain.webhook_event import WebhookStatus
from entrypoints.bootstrap import Elope, bootstrap
from entrypoints.cli import worker_processes
from entrypoints.cli.doctor import run_doctor
from entrypoints.cli.password_input import PasswordInputError, read_password
from entrypoints.demo_catalog import seed_demo_catalog
from entrypoints.settings import Settings, SettingsError, load_settings
from entrypoints.telemetry_setup import start_telemetry

MOCK_IS_IN_MEMORY = (
    "the mock preset keeps its data in the serving process's memory; `elope serve` seeds it"
    " with the demo catalog and the ADMIN_EMAIL admin at start"
)


def serve(settings: Settings, host: str, port: int | None, workers: int) -> int:
    if settings.is_mock and workers > 1:
        print("elope: the mock preset keeps data in memory and runs one worker only",
              file=sys.stderr)
        return 2
    port = port or settings.api_port
    # The workers import the app themselves and read the same environment; the port they
    # announce must match the one they listen on.
    os.environ["API_PORT"] = str(port)
    try:
        load_settings()  # fail in the parent with one line, not in every worker
    except SettingsError as exc:
        print(f"elope: {exc}", file=sys.stderr)
        return 2
    problem = worker_processes.unavailable(host, port)
    if problem:  # one line here, not a traceback from each worker
        print(f"elope: {problem}", file=sys.stderr)
        return 2
    loop, http = server_implementations()
    if workers > 1 and worker_processes.spreads_connections():
        # A socket per worker, so new connections are spread across them (see the module).
        plan = worker_processes.WorkerPlan(host=host, port=port, loop=loop, http=http)
        return worker_processes.Supervisor(plan, workers).run()
    uvicorn.run(worker_processes.APP, factory=True, host=host, port=port,
                workers=workers, loop=loop, http=http, log_config=None, access_log=False,
                proxy_headers=worker_processes.PROXY_HEADERS)
    return 0


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


def doctor() -> int:
    return run_doctor()


async def migrate(settings: Settings) -> int:
    if settings.is_mock or settings.session_database_url is None:
        print(f"elope: nothing to migrate: {MOCK_IS_IN_MEMORY}")
        return 0
    # Directly to PostgreSQL: the migration lock is held for the session.
    applied = await apply_migrations(settings.session_database_url)
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
    async with running(settings) as elope:
        created = await seed_demo_catalog(elope.bus, elope.uow, elope.clock.now().date())
    print(f"elope: demo catalog seeded ({created} packages created)")
    return 0


async def create_admin(settings: Settings, email: str, password: str | None) -> int:
    if settings.is_mock:
        print(f"elope: nothing stored: {MOCK_IS_IN_MEMORY}")
        return 0
    try:
        # Read before the database is opened: a prompt does not hold a pool open.
        password = read_password() if password is None else password
        async with running(settings) as elope:
            user = await elope.bus.handle(c.CreateAdmin(email=email, password=password,
                                                        correlation_id=new_id("cli")))
    except (PasswordInputError, ValidationFailed) as exc:
        print(f"elope: {exc}", file=sys.stderr)
        return 2
    print(f"elope: admin {user.email} ready; tokens it was given before no longer work")
    return 0


async def replay_webhooks(settings: Settings, status: str) -> int:
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
        # Its inbox lives in the serving process, whose own loop replays the directory.
        print(f"elope: nothing to replay here: {MOCK_IS_IN_MEMORY}")
        return 0
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
    async with running(settings) as elope:
        report: ReconcileReport = await elope.bus.handle(
            c.ReconcileHolds(correlation_id=new_id("cli")))
    for hold in report.holds:
        print(f"{hold.session_id} ({hold.event_date}): {hold.action} - {hold.detail}")
    print(f"elope: reconciled {len(report.holds)} holds: {report.completed} completed,"
          f" {report.released} released, {report.count('kept')} kept, {report.failed} failed")
    # A hold that failed is retried by the next round; the command itself did its job.
    return 0
