"""What `elope` accepts on its command line, and the help that says so (SPEC §10)."""

from __future__ import annotations

import argparse
import sys
from typing import NoReturn

from application.handlers.admin_access import MIN_PASSWORD, acceptable_password
from domain.customer import normalize_email
from domain.errors import ValidationFailed
from domain.webhook_event import WebhookStatus
from entrypoints.cli.mistake import USAGE_EXIT_CODE

OVERVIEW = """\
The Elope booking backend: the HTTP API, and the jobs an operator runs beside it.

Configuration comes from environment variables (ADAPTERS_PRESET, DATABASE_URL, API_PORT, ...;
see "Configuration" in the README) and from ./.env (or the file ELOPE_ENV_FILE names; the
environment wins), checked before anything is done. ADAPTERS_PRESET=mock (the default)
keeps everything in the memory of `elope serve` and needs nothing else; ADAPTERS_PRESET=real
uses PostgreSQL (DATABASE_URL), Stripe, and mail and calendar if set."""

EXIT_CODES = """\
exit codes:
  0  done
  1  done, but something is left to look at (events still failing, dead letters kept,
     `doctor` found something missing, `serve`'s worker processes kept dying)
  2  a mistake, and nothing was done: one line on standard error says what to correct
     (a setting, an argument, the database missing, unreachable, refusing the credentials
     or not migrated, the port taken); --debug shows the traceback as well"""

SCHEMA_FIRST = """\
The real preset checks the database first, and stops with one line and exit code 2 when it
is missing, unreachable, refuses the credentials or lacks migrations ("run `elope migrate`")."""

SERVE = """\
Run the HTTP API under uvicorn.

Before it starts, `serve` checks that the port can be listened on and, on the real preset,
that the database is reachable and has every migration of this version applied. When one is
not, it stops at once with one line and exit code 2 - it does not start and wait: an instance
that waits can never become ready by itself, while a process that exits shows the cause at
once (in the terminal, in systemd's journal) and is restarted by its supervisor once the
cause is fixed. Run `elope migrate` before `elope serve` on every deploy (the systemd unit in
deploy/ does it in ExecStartPre).

The mock preset keeps its data in this one process's memory: it runs one worker only."""

MIGRATE = """\
Apply the database migrations this version has and the database lacks. Safe to run twice,
and from two processes at once (they take turns). Run it before `elope serve` on each deploy.

On the mock preset there is nothing to migrate: the preset keeps nothing between processes
(its data lives in the memory of `elope serve`, which builds it at start); the command says
so and exits with 0, so a deploy script can run it whatever the preset."""

SEED = f"""\
Write the demo catalog (three packages with add-ons) and a blackout date, skipping what is
already there.

{SCHEMA_FIRST}

On the mock preset there is nothing to seed: the preset keeps nothing between processes, and
`elope serve` seeds its own memory at start; the command says so and exits with 0."""

CREATE_ADMIN = f"""\
Create an admin, or set a new password for an existing one; the tokens it was given before
stop working. Without --password the password is asked for twice in a terminal, or read as
one line from standard input (printf '%s\\n' "$PASSWORD" | elope create-admin --email ...).
A password needs at least {MIN_PASSWORD} characters.

{SCHEMA_FIRST}

On the mock preset there is nowhere to keep an admin: the preset keeps nothing between
processes (its data lives in the memory of `elope serve`, whose admin is ADMIN_EMAIL /
ADMIN_PASSWORD); the command says so and exits with 2, as the admin asked for would not exist.
Set ADAPTERS_PRESET=real and DATABASE_URL to keep admins in PostgreSQL."""

DOCTOR = """\
Check the configuration of the chosen preset and say what is missing: each setting that
matters, each integration (real or stand-in, and a live check of the real ones), and on the
real preset the database (reachable, migrated), its connection pool against the server's
limit, this machine's clock against the database's (more than 2 s apart fails: hold expiry
and rate-limit windows compare the two), the dead-letter queue (DEAD_LETTER_DIR writable,
letters waiting, letters it cannot replay), and the webhook URL to register at Stripe.

Exit code 0 when everything is in place, 1 when something is missing (each line says what),
2 when a setting cannot even be read."""

REPLAY = f"""\
Process again the Stripe events stored in the webhook inbox with a given status (FAILED by
default), or, with --dead-letters, deliver the events kept in DEAD_LETTER_DIR while the
database was down into the inbox. Exit code 1 while some still fail or are kept.

{SCHEMA_FIRST}

On the mock preset there is nothing to replay: the preset keeps nothing between processes
(its inbox lives in the memory of `elope serve`, which retries and replays on its own); the
command says so and exits with 2, as nothing it was asked for can be done from here. Set
ADAPTERS_PRESET=real and DATABASE_URL to replay the events PostgreSQL keeps."""

RECONCILE = f"""\
Ask the payment provider about holds whose checkout is overdue and whose webhook never came:
complete the paid ones, release the others. `elope serve` does this itself every
RECONCILE_INTERVAL_SECONDS; this runs one round now.

{SCHEMA_FIRST}

On the mock preset there is nothing to reconcile: the preset keeps nothing between processes
(its holds live in the memory of `elope serve`, which reconciles them on its own); the command
says so and exits with 2, as nothing it was asked for can be done from here. Set
ADAPTERS_PRESET=real and DATABASE_URL to reconcile the holds PostgreSQL keeps."""


class OneLineParser(argparse.ArgumentParser):
    """argparse, but a wrong argument is one line (which command, what is wrong, where the
    help is) rather than the usage block followed by the error."""

    def error(self, message: str) -> NoReturn:
        command = self.prog.removeprefix("elope").strip()
        where = f"{command}: " if command else ""
        print(f"elope: {where}{message} (see `{self.prog} --help`)", file=sys.stderr)
        sys.exit(USAGE_EXIT_CODE)


def _formatter(prog: str) -> argparse.HelpFormatter:
    return argparse.RawDescriptionHelpFormatter(prog, max_help_position=28, width=100)


def _port(text: str) -> int:
    """--port: 1-65535 (0 would make the system pick one nobody knows)."""
    if not text.isdigit() or not 1 <= int(text) <= 65535:
        raise argparse.ArgumentTypeError(f"expected a port number from 1 to 65535, got {text!r}")
    return int(text)


def _worker_count(text: str) -> int:
    """--workers: a whole number, at least 1 (uvicorn would read 0 as one, silently)."""
    try:
        count = int(text)
    except ValueError:
        count = 0
    if count < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number of at least 1, got {text!r}")
    return count


def _email(text: str) -> str:
    """--email: checked before a password is asked for or the database is opened."""
    try:
        return normalize_email(text)
    except ValidationFailed as exc:
        raise argparse.ArgumentTypeError(exc.message) from None


def _password(text: str) -> str:
    try:
        return acceptable_password(text)
    except ValidationFailed as exc:
        raise argparse.ArgumentTypeError(exc.message) from None


def _debug_option(parser: argparse.ArgumentParser, default: object) -> None:
    parser.add_argument("--debug", action="store_true", default=default,
                        help="on a mistake, print the traceback as well as the one line")


def parser(version: str) -> argparse.ArgumentParser:
    """The whole command line: `elope [--debug] COMMAND [options]`."""
    root = OneLineParser(prog="elope", description=OVERVIEW, epilog=EXIT_CODES,
                         formatter_class=_formatter)
    root.add_argument("--version", action="version", version=f"elope {version}",
                      help="print the installed version and exit")
    _debug_option(root, False)
    commands = root.add_subparsers(dest="command", required=True, metavar="COMMAND",
                                   title="commands (`elope COMMAND --help` for each)")

    def command(name: str, summary: str, description: str) -> argparse.ArgumentParser:
        sub = commands.add_parser(name, help=summary, description=description,
                                  epilog=EXIT_CODES, formatter_class=_formatter)
        _debug_option(sub, argparse.SUPPRESS)  # after the command too; `elope --debug` kept
        return sub

    serve = command("serve", "run the HTTP API (checks the port and the database first)", SERVE)
    serve.add_argument("--port", type=_port, default=None, metavar="PORT",
                       help="TCP port to listen on, 1-65535 (default: API_PORT, else 3001)")
    serve.add_argument("--host", default=None, metavar="ADDRESS",
                       help="address to listen on (default: API_HOST, else 127.0.0.1 on the"
                            " mock preset - this machine only, its admin is admin/admin - and"
                            " 0.0.0.0, every interface, on the real one)")
    serve.add_argument("--workers", type=_worker_count, default=1, metavar="N",
                       help="worker processes, at least 1 (default: 1; more than 1 on the real"
                            " preset only; on Linux each listens on a socket of its own)")
    command("migrate", "apply the database migrations (safe to run twice)", MIGRATE)
    command("seed", "write the demo catalog and a blackout date", SEED)
    admin = command("create-admin", "create an admin, or set a new password (ending its"
                    " tokens)", CREATE_ADMIN)
    admin.add_argument("--email", required=True, type=_email, metavar="EMAIL",
                       help="the admin's email address (required)")
    admin.add_argument("--password", default=None, type=_password, metavar="PASSWORD",
                       help="the password itself, at least 5 characters: it lands in the"
                            " shell's history and is seen in `ps`; leave it out to be asked"
                            " (default), or pipe it on standard input")
    command("doctor", "check the configuration, the database and the clock", DOCTOR)
    webhooks = commands.add_parser(
        "webhooks", help="webhook inbox tools: `elope webhooks replay`",
        description="Tools for the inbox of Stripe webhook events.", formatter_class=_formatter)
    _debug_option(webhooks, argparse.SUPPRESS)
    tools = webhooks.add_subparsers(dest="webhooks_command", required=True, metavar="TOOL",
                                    title="tools")
    replay = tools.add_parser("replay", help="process stored events again", description=REPLAY,
                              epilog=EXIT_CODES, formatter_class=_formatter)
    _debug_option(replay, argparse.SUPPRESS)
    which = replay.add_mutually_exclusive_group()
    statuses = [status.value for status in WebhookStatus]
    which.add_argument("--status", default=WebhookStatus.FAILED.value, type=str.upper,
                       choices=statuses, metavar="STATUS",
                       help=f"the events to process again, by status: {', '.join(statuses)}"
                            " (any case; default: FAILED)")
    which.add_argument("--dead-letters", action="store_true",
                       help="deliver the events kept in DEAD_LETTER_DIR while the database was"
                            " down into the inbox, instead (default: off)")
    command("reconcile", "ask the payment provider about overdue holds", RECONCILE)
    return root
