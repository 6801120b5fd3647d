"""The mistakes `elope` reports as one line and exit code 2."""

from __future__ import annotations

USAGE_EXIT_CODE = 2


class Mistake(Exception):
    """Something the operator can correct - a setting, an argument, the database's state -
    phrased as the one line the command prints; nothing was done."""
