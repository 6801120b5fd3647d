"""`elope`: the one console script (SPEC §10)."""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Callable, Coroutine
from importlib import metadata
from typing import Any

from entrypoints.cli import operations
from entrypoints.settings import Settings, SettingsError, load_settings


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="elope", description="Elope booking backend")
    parser.add_argument("--version", action="version", version=f"elope {_version()}")
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="run the API")
    serve.add_argument("--port", type=int, default=None, help="default: API_PORT (3001)")
    serve.add_argument("--host", default=None,
                       help="default: API_HOST, else 127.0.0.1 for the mock preset and 0.0.0.0"
                            " (every interface) for the real one")
    serve.add_argument("--workers", type=_worker_count, default=1,
                       help="worker processes (the real preset only; default 1)")
    sub.add_parser("migrate", help="apply database migrations (safe to run twice)")
    sub.add_parser("seed", help="write the demo catalog and a blackout date")
    admin = sub.add_parser(
        "create-admin", help="create an admin or set a new password (ending its tokens)",
        description="Create an admin, or set a new password for an existing one; the tokens it"
                    " was given before stop working. Without --password the password is asked"
                    " for twice in a terminal, or read as one line from standard input.")
    admin.add_argument("--email", required=True)
    admin.add_argument("--password", default=None,
                       help="the password itself: it lands in the shell's history and is seen"
                            " in `ps`; leave it out to be asked, or pipe it on standard input")
    sub.add_parser("doctor", help="check the configuration of the chosen preset")
    webhooks = sub.add_parser("webhooks", help="webhook inbox tools")
    webhooks_sub = webhooks.add_subparsers(dest="webhooks_command", required=True)
    replay = webhooks_sub.add_parser("replay", help="process stored events again")
    replay.add_argument("--status", default="FAILED")
    replay.add_argument("--dead-letters", action="store_true",
                        help="deliver the events kept in DEAD_LETTER_DIR while the database"
                             " was down into the inbox, instead")
    sub.add_parser("reconcile", help="ask the payment provider about overdue holds")
    return parser


def _version() -> str:
    try:
        return metadata.version("elope")
    except metadata.PackageNotFoundError:  # run from a tree that was never installed
        return "unknown"


def _worker_count(text: str) -> int:
    """--workers: a whole number, at least 1 (uvicorn would read 0 as one, silently)."""
    try:
        count = int(text)
    except ValueError:
        count = 0
    if count < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number of at least 1, got {text!r}")
    return count


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.command == "doctor":
        return operations.doctor()
    try:
        settings = load_settings()
    except SettingsError as exc:
        print(f"elope: {exc}", file=sys.stderr)
        return 2
    if args.command == "serve":
        return operations.serve(settings, args.host or settings.listen_host, args.port,
                                args.workers)
    jobs: dict[str, Callable[[Settings], Coroutine[Any, Any, int]]] = {
        "migrate": operations.migrate,
        "seed": operations.seed,
        "reconcile": operations.reconcile,
    }
    try:
        if args.command == "create-admin":
            return asyncio.run(operations.create_admin(settings, args.email, args.password))
        if args.command == "webhooks" and args.dead_letters:
            return asyncio.run(operations.replay_dead_letters(settings))
        if args.command == "webhooks":
            return asyncio.run(operations.replay_webhooks(settings, args.status))
        return asyncio.run(jobs[args.command](settings))
    except SettingsError as exc:
        print(f"elope: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
