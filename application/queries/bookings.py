"""Bookings as the couple and the admin see them."""

from __future__ import annotations

import base64
import binascii
import datetime as dt
from dataclasses import dataclass

from application.ports.bookings import BookingCursor, BookingFilter
from application.ports.unit_of_work import UnitOfWorkFactory
from domain.booking import Booking
from domain.errors import NotFound, ValidationFailed
from domain.timeline import TimelineEntry

MAX_PAGE = 200


@dataclass(frozen=True)
class BookingPage:
    items: list[Booking]
    next_cursor: str | None


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


async def booking_by_id(uow: UnitOfWorkFactory, booking_id: str) -> Booking:
    async with uow() as tx:
        booking = await tx.bookings.get(booking_id)
    if booking is None:
        raise NotFound(f"no booking '{booking_id}'")
    return booking


async def bookings_page(
    uow: UnitOfWorkFactory, where: BookingFilter, limit: int, cursor: str | None,
) -> BookingPage:
    check_limit(limit)
    after = BookingCursor(*decode_cursor(cursor)) if cursor else None
    async with uow() as tx:
        rows = await tx.bookings.page(where, limit + 1, after)
    items = rows[:limit]
    more = len(rows) > limit
    last = items[-1] if items else None
    return BookingPage(items, encode_cursor(last.created_at, last.id) if more and last else None)


async def booking_timeline(uow: UnitOfWorkFactory, booking_id: str) -> list[TimelineEntry]:
    async with uow() as tx:
        booking = await tx.bookings.get(booking_id)
        if booking is None:
            raise NotFound(f"no booking '{booking_id}'")
        return await tx.timeline.for_session(booking.session_id)
