"""The password `elope create-admin` sets, when it is not on the command line (where it
would land in the shell's history and in `ps` for anyone on the machine to read)."""

from __future__ import annotations

import getpass
import sys
from collections.abc import Callable
from typing import TextIO


class PasswordInputError(Exception):
    """No usable password was given; phrased as the one line the command prints."""


def read_password(stdin: TextIO | None = None,
                  ask: Callable[[str], str] = getpass.getpass) -> str:
    """In a terminal: asked twice, without echo, and the two must match (a typo would lock the
    admin out). Otherwise: the first line of standard input, as a script or a secret store
    pipes it (`printf '%s\\n' "$PASSWORD" | elope create-admin --email ...`); only the line
    ending is taken off - spaces are part of a password."""
    stdin = stdin or sys.stdin
    if stdin.isatty():
        try:
            first = ask("New admin password: ")
            again = ask("The same password again: ")
        except EOFError:
            raise PasswordInputError("no password given") from None
        if first != again:
            raise PasswordInputError("the two passwords differ; nothing changed")
        return first
    line = stdin.readline()
    if not line:
        raise PasswordInputError(
            "no password: pipe one line on standard input, run it in a terminal to be asked,"
            " or give --password")
    return line.removesuffix("\n").removesuffix("\r")
