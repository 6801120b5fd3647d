"""Keyset pages: an opaque cursor naming the last row a page showed, newest first."""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import re
from collections.abc import Callable
from typing import TypeVar

from domain.errors import ValidationFailed

MAX_PAGE = 200
# A cursor's key is a row id (varchar(255) at most); a forged one must not reach a query with
# text PostgreSQL refuses (a NUL) or a time it cannot hold.
MAX_KEY = 255
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")

T = TypeVar("T")


def check_limit(limit: int) -> int:
    if not 1 <= limit <= MAX_PAGE:
        raise ValidationFailed(f"limit must be between 1 and {MAX_PAGE}")
    return limit


def encode_cursor(created_at: dt.datetime, key: str) -> str:
    raw = f"{created_at.isoformat()}|{key}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[dt.datetime, str]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        stamp, key = raw.split("|", 1)
        created_at = dt.datetime.fromisoformat(stamp)
        # In UTC, as it is stored: "0001-01-01T00:00+14:00" is before year 1 there.
        created_at.astimezone(dt.UTC)
    except (ValueError, UnicodeDecodeError, binascii.Error, OverflowError):
        raise ValidationFailed("cursor is not one this API handed out") from None
    if (created_at.tzinfo is None or not key or len(key) > MAX_KEY
            or _CONTROL.search(key)):
        raise ValidationFailed("cursor is not one this API handed out")
    return created_at, key


def cut_page(
    rows: list[T], limit: int, position: Callable[[T], tuple[dt.datetime, str]],
) -> tuple[list[T], str | None]:
    """From rows fetched with `limit + 1`: the page, and the cursor of the next one (None when
    this page is the last)."""
    items = rows[:limit]
    if len(rows) <= limit or not items:
        return items, None
    return items, encode_cursor(*position(items[-1]))
