"""`elope`: the one console script (SPEC §10). Every mistake - a setting, an argument, the
database or the port - ends with one line on standard error and exit code 2; `--debug` adds
the traceback. What is not a mistake (a bug) keeps its traceback and exit code 1."""

from __future__ import annotations

import argparse
import asyncio
import sys
import traceback
from collections.abc import Callable, Coroutine
from importlib import metadata
from typing import Any

from adapters.piccolo.connection_problems import connection_problem
from adapters.piccolo.database_address import DatabaseAddress
from domain.errors import ValidationFailed
from entrypoints.cli import operations
from entrypoints.cli.arguments import parser
from entrypoints.cli.doctor import run_doctor
from entrypoints.cli.mistake import USAGE_EXIT_CODE, Mistake
from entrypoints.cli.password_input import PasswordInputError
from entrypoints.settings import Settings, SettingsError, load_settings

# Raised on purpose, each phrased as the line to print.
WORDED_MISTAKES = (Mistake, SettingsError, PasswordInputError, ValidationFailed)

# What a shell reports for a process ended by SIGINT.
INTERRUPTED_EXIT_CODE = 130

Job = Callable[[Settings], Coroutine[Any, Any, int]]


def _version() -> str:
    try:
        return metadata.version("elope")
    except metadata.PackageNotFoundError:  # run from a tree that was never installed
        return "unknown"


def main(argv: list[str] | None = None) -> int:
    args = parser(_version()).parse_args(argv)
    settings: Settings | None = None
    try:
        settings = load_settings()
        return _run(args, settings)
    except KeyboardInterrupt:  # Ctrl+C at a prompt or in a job: stopped, as asked
        print("elope: interrupted", file=sys.stderr)
        return INTERRUPTED_EXIT_CODE
    except Exception as exc:
        line = _mistake(exc, settings)
        if line is None:
            raise  # not the operator's mistake: the traceback is what a bug report needs
        if args.debug:
            traceback.print_exc()
        print(f"elope: {line}", file=sys.stderr)
        return USAGE_EXIT_CODE


def _run(args: argparse.Namespace, settings: Settings) -> int:
    if args.command == "doctor":
        return run_doctor(settings)
    if args.command == "serve":
        return operations.serve(settings, args.host or settings.listen_host, args.port,
                                args.workers)
    if args.command == "create-admin":
        return asyncio.run(operations.create_admin(settings, args.email, args.password))
    jobs: dict[str, Job] = {
        "migrate": operations.migrate, "seed": operations.seed,
        "reconcile": operations.reconcile,
    }
    if args.command == "webhooks" and args.dead_letters:
        return asyncio.run(operations.replay_dead_letters(settings))
    if args.command == "webhooks":
        return asyncio.run(operations.replay_webhooks(settings, args.status))
    return asyncio.run(jobs[args.command](settings))


def _mistake(exc: Exception, settings: Settings | None) -> str | None:
    """The one line for an exception that is the operator's to fix, or None."""
    if isinstance(exc, WORDED_MISTAKES):
        return str(exc)
    if settings is None or settings.is_mock or settings.database_url is None:
        return None
    # The database going away in the middle of a job reads like one refused at its start.
    return connection_problem(exc, DatabaseAddress.of(settings.database_url.get_secret_value()))


if __name__ == "__main__":
    sys.exit(main())
