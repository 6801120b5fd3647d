"""Keyset pages: an opaque cursor naming the last row a page showed, newest first."""

from __future__ import annotations

import base64
import binascii
import datetime as dt
from collections.abc import Callable
from typing import TypeVar

from domain.errors import ValidationFailed

MAX_PAGE = 200

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
    except (ValueError, UnicodeDecodeError, binascii.Error):
        raise ValidationFailed("cursor is not one this API handed out") from None
    if created_at.tzinfo is None or not key:
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
