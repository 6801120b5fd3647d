"""Bookings on PostgreSQL. The one-PAID-booking-per-date rule is
the partial unique index `booking_one_paid_per_date`; this code only translates its verdict."""

from __future__ import annotations

import json
from typing import Any

import asyncpg

from adapters.piccolo.statements import Connection
from application.ports.bookings import BookingCursor, BookingFilter
from domain.booking import BookedAddOn, Booking, BookingStatus
from domain.errors import Conflict, DateAlreadyBooked, NotFound
from domain.event_date import EventDate
from domain.money import Money

_BOOKING = """
    SELECT b.id, b.package_id, b.couple_name, b.email, b.phone, b.event_date, b.total_cents,
           b.status, b.created_at, b.session_id, b.payment_intent_id, b.correlation_id,
           COALESCE((SELECT json_agg(json_build_array(a.add_on_id, a.title, a.unit_price_cents)
                                     ORDER BY a.position)
                     FROM booking_add_on a WHERE a.booking_id = b.id), '[]') AS add_ons
    FROM booking b
"""


def _booking(row: asyncpg.Record) -> Booking:
    add_ons = json.loads(row["add_ons"]) if isinstance(row["add_ons"], str) else row["add_ons"]
    return Booking(
        id=row["id"], package_id=row["package_id"], couple_name=row["couple_name"],
        email=row["email"], phone=row["phone"], event_date=EventDate(row["event_date"]),
        add_ons=tuple(BookedAddOn(a[0], a[1], Money(a[2])) for a in add_ons),
        total=Money(row["total_cents"]), status=BookingStatus(row["status"]),
        created_at=row["created_at"], session_id=row["session_id"],
        payment_intent_id=row["payment_intent_id"], correlation_id=row["correlation_id"],
    )


class PiccoloBookingRepository:
    def __init__(self, connection: Connection) -> None:
        self._db = connection

    async def add(self, booking: Booking) -> None:
        try:
            await self._db.execute(
                """INSERT INTO booking (id, package_id, customer_id, couple_name, email, phone,
                       event_date, total_cents, status, created_at, session_id,
                       payment_intent_id, correlation_id)
                   VALUES ($1, $2, (SELECT id FROM customer WHERE email = $4), $3, $4, $5, $6,
                           $7, $8, $9, $10, $11, $12)""",
                booking.id, booking.package_id, booking.couple_name, booking.email,
                booking.phone, booking.event_date.value, booking.total.cents,
                booking.status.value, booking.created_at, booking.session_id,
                booking.payment_intent_id, booking.correlation_id,
            )
        except asyncpg.UniqueViolationError as exc:
            if exc.constraint_name == "booking_one_paid_per_date":
                raise DateAlreadyBooked(str(booking.event_date)) from exc
            raise Conflict(f"checkout session {booking.session_id} already made a booking"
                           ) from exc
        except asyncpg.ForeignKeyViolationError as exc:
            raise NotFound(f"no package '{booking.package_id}'") from exc
        await self._db.executemany(
            """INSERT INTO booking_add_on (booking_id, position, add_on_id, title,
                   unit_price_cents) VALUES ($1, $2, $3, $4, $5)""",
            [(booking.id, i, a.add_on_id, a.title, a.unit_price.cents)
             for i, a in enumerate(booking.add_ons)],
        )

    async def save_status(self, booking: Booking) -> None:
        try:
            updated = await self._db.fetchval(
                "UPDATE booking SET status = $2 WHERE id = $1 RETURNING id",
                booking.id, booking.status.value)
        except asyncpg.UniqueViolationError as exc:
            raise DateAlreadyBooked(str(booking.event_date)) from exc
        if updated is None:
            raise NotFound(f"no booking '{booking.id}'")

    async def _one(self, where: str, *args: Any) -> Booking | None:
        row = await self._db.fetchrow(f"{_BOOKING} WHERE {where} LIMIT 1", *args)
        return _booking(row) if row else None

    async def get(self, booking_id: str) -> Booking | None:
        return await self._one("b.id = $1", booking_id)

    async def by_session(self, session_id: str) -> Booking | None:
        return await self._one("b.session_id = $1", session_id)

    async def by_payment_intent(self, payment_intent_id: str) -> Booking | None:
        return await self._one("b.payment_intent_id = $1 ORDER BY b.created_at",
                               payment_intent_id)

    async def paid_on(self, date: EventDate) -> Booking | None:
        return await self._one("b.event_date = $1 AND b.status = 'PAID'", date.value)

    async def paid_dates_between(self, start: EventDate, end: EventDate) -> set[EventDate]:
        rows = await self._db.fetch(
            """SELECT event_date FROM booking
               WHERE status = 'PAID' AND event_date BETWEEN $1 AND $2""", start.value, end.value)
        return {EventDate(r["event_date"]) for r in rows}

    async def page(
        self, where: BookingFilter, limit: int, after: BookingCursor | None,
    ) -> list[Booking]:
        conditions: list[str] = ["TRUE"]
        args: list[object] = []
        for clause, value in (
            ("b.status = ${}", where.status.value if where.status else None),
            ("b.event_date >= ${}", where.date_from.value if where.date_from else None),
            ("b.event_date <= ${}", where.date_to.value if where.date_to else None),
        ):
            if value is not None:
                args.append(value)
                conditions.append(clause.format(len(args)))
        if after is not None:
            args += [after.created_at, after.booking_id]
            conditions.append(f"(b.created_at, b.id) < (${len(args) - 1}, ${len(args)})")
        args.append(limit)
        rows = await self._db.fetch(
            f"{_BOOKING} WHERE {' AND '.join(conditions)}"
            f" ORDER BY b.created_at DESC, b.id DESC LIMIT ${len(args)}", *args)
        return [_booking(r) for r in rows]

    async def references_package(self, package_id: str) -> bool:
        return bool(await self._db.fetchval(
            "SELECT EXISTS (SELECT 1 FROM booking WHERE package_id = $1)", package_id))

