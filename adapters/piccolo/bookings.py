"""Bookings on PostgreSQL. The one-PAID-booking-per-date rule is
the partial unique index `booking_one_paid_per_date`; this code only translates its verdict."""

from __future__ import annotations

import json
from typing import Any

import asyncpg
from piccolo.custom_types import Combinable
from piccolo.query.functions import Coalesce
from piccolo.query.methods.select import Select
from piccolo.querystring import QueryString

from adapters.piccolo.prepared import Prepared
from adapters.piccolo.statements import Connection, fetch, subquery, write
from adapters.piccolo.tables import BookingAddOnRow, BookingRow, CustomerRow
from application.ports.bookings import BookingCursor, BookingFilter
from domain.booking import BookedAddOn, Booking, BookingStatus
from domain.errors import Conflict, DateAlreadyBooked, DomainError, NotFound
from domain.event_date import EventDate
from domain.money import Money

_COLUMNS = (BookingRow.id, BookingRow.package_id, BookingRow.couple_name, BookingRow.email,
            BookingRow.phone, BookingRow.event_date, BookingRow.total_cents, BookingRow.status,
            BookingRow.created_at, BookingRow.session_id, BookingRow.payment_intent_id,
            BookingRow.correlation_id)
# Raw: Piccolo binds every value as a parameter, and a cached generic plan cannot match
# `status = $1` to the partial index booking_one_paid_per_date (WHERE status = 'PAID').
_PAID = QueryString("{} = 'PAID'", BookingRow.status)
# Raw: Piccolo has no json_agg (an aggregate with its own ORDER BY); the subquery around it is
# Piccolo's. One row per booking with its add-ons in order, in the booking's own statement.
_ADD_ONS_JSON = QueryString(
    "json_agg(json_build_array({}, {}, {}) ORDER BY {})", BookingAddOnRow.add_on_id,
    BookingAddOnRow.title, BookingAddOnRow.unit_price_cents, BookingAddOnRow.position)


def _paid_on(date: Any) -> QueryString:
    return QueryString("({} = {} AND {})", BookingRow.event_date, date, _PAID)


def _select() -> Select[Any]:
    add_ons = BookingAddOnRow.select(_ADD_ONS_JSON).where(
        BookingAddOnRow.booking_id == BookingRow.id)
    return BookingRow.select(*_COLUMNS, Coalesce(subquery(add_ons), "[]", alias="add_ons"))


def _booking(row: dict[str, Any]) -> Booking:
    add_ons = json.loads(row["add_ons"]) if isinstance(row["add_ons"], str) else row["add_ons"]
    return Booking(
        id=row["id"], package_id=row["package_id"], couple_name=row["couple_name"],
        email=row["email"], phone=row["phone"], event_date=EventDate(row["event_date"]),
        add_ons=tuple(BookedAddOn(a[0], a[1], Money(a[2])) for a in add_ons),
        total=Money(row["total_cents"]), status=BookingStatus(row["status"]),
        created_at=row["created_at"], session_id=row["session_id"],
        payment_intent_id=row["payment_intent_id"], correlation_id=row["correlation_id"],
    )


_GET = Prepared(lambda booking_id: _select().where(BookingRow.id == booking_id).limit(1))
_ADD = Prepared(lambda id, package_id, couple_name, email, phone, event_date, total_cents, status,
                created_at, session_id, payment_intent_id, correlation_id: BookingRow.insert(
    BookingRow(id=id, package_id=package_id, customer_id=subquery(CustomerRow.select(
                   CustomerRow.id).where(CustomerRow.email == email)),
               couple_name=couple_name, email=email, phone=phone, event_date=event_date,
               total_cents=total_cents, status=status, created_at=created_at,
               session_id=session_id, payment_intent_id=payment_intent_id,
               correlation_id=correlation_id)))
_SET_CALENDAR_EVENT = Prepared(lambda booking_id, event_id: BookingRow.update(
    {BookingRow.calendar_event_id: event_id}).where(BookingRow.id == booking_id))
_WITH_CALENDAR_EVENT = Prepared(lambda booking_id: _select().columns(
    BookingRow.calendar_event_id).where(BookingRow.id == booking_id))
_CALENDAR_EVENT = Prepared(lambda booking_id: BookingRow.select(
    BookingRow.calendar_event_id).where(BookingRow.id == booking_id))


class PiccoloBookingRepository:
    def __init__(self, connection: Connection) -> None:
        self._connection = connection

    async def add(self, booking: Booking) -> None:
        def refused(exc: asyncpg.PostgresError) -> DomainError | None:
            constraint = getattr(exc, "constraint_name", None)
            if constraint == "booking_one_paid_per_date":
                return DateAlreadyBooked(str(booking.event_date))
            if constraint in ("booking_pkey", "booking_session_id_key"):
                return Conflict(f"checkout session {booking.session_id} already made a booking")
            if constraint == "booking_package_id_fkey":
                return NotFound(f"no package '{booking.package_id}'")
            return None

        # A write: inside a batch it travels with the others (see UnitOfWork.batch).
        await write(self._connection, _ADD(
            booking.id, booking.package_id, booking.couple_name, booking.email,
            booking.phone, booking.event_date.value, booking.total.cents,
            booking.status.value, booking.created_at, booking.session_id,
            booking.payment_intent_id, booking.correlation_id), translate=refused)
        if booking.add_ons:  # one multi-row INSERT; none at all without add-ons
            await write(self._connection, BookingAddOnRow.insert(*(
                BookingAddOnRow(booking_id=booking.id, position=i, add_on_id=a.add_on_id,
                                title=a.title, unit_price_cents=a.unit_price.cents)
                for i, a in enumerate(booking.add_ons))))

    async def save_status(self, booking: Booking) -> None:
        try:
            updated = await fetch(self._connection, BookingRow.update({
                BookingRow.status: booking.status.value,
            }).where(BookingRow.id == booking.id).returning(BookingRow.id))
        except asyncpg.UniqueViolationError as exc:
            raise DateAlreadyBooked(str(booking.event_date)) from exc
        if not updated:
            raise NotFound(f"no booking '{booking.id}'")

    async def _one(self, query: Select[Any]) -> Booking | None:
        rows = await fetch(self._connection, query.limit(1))
        return _booking(rows[0]) if rows else None

    async def get(self, booking_id: str) -> Booking | None:
        rows = await fetch(self._connection, _GET(booking_id))
        return _booking(rows[0]) if rows else None

    async def by_session(self, session_id: str) -> Booking | None:
        return await self._one(_select().where(BookingRow.session_id == session_id))

    async def by_payment_intent(self, payment_intent_id: str) -> Booking | None:
        return await self._one(_select().where(
            BookingRow.payment_intent_id == payment_intent_id).order_by(BookingRow.created_at))

    async def paid_on(self, date: EventDate) -> Booking | None:
        return await self._one(_select().where(_paid_on(date.value)))

    async def paid_dates_between(self, start: EventDate, end: EventDate) -> set[EventDate]:
        rows = await fetch(self._connection, BookingRow.select(BookingRow.event_date).where(
            _PAID, BookingRow.event_date >= start.value, BookingRow.event_date <= end.value))
        return {EventDate(r["event_date"]) for r in rows}

    async def page(
        self, where: BookingFilter, limit: int, after: BookingCursor | None,
    ) -> list[Booking]:
        conditions: list[Combinable | QueryString] = []
        if where.status is not None:
            conditions.append(BookingRow.status == where.status.value)
        if where.date_from is not None:
            conditions.append(BookingRow.event_date >= where.date_from.value)
        if where.date_to is not None:
            conditions.append(BookingRow.event_date <= where.date_to.value)
        if after is not None:
            # Raw: Piccolo has no row comparison, and only this form (not its OR expansion)
            # bounds the scan of the booking_newest_first index (created_at DESC, id DESC).
            conditions.append(QueryString("({}, {}) < ({}, {})", BookingRow.created_at,
                                          BookingRow.id, after.created_at, after.booking_id))
        rows = await fetch(self._connection, _select().where(*conditions).order_by(
            BookingRow.created_at, BookingRow.id, ascending=False).limit(limit))
        return [_booking(r) for r in rows]

    async def references_package(self, package_id: str) -> bool:
        (row,) = await fetch(self._connection, BookingRow.exists().where(
            BookingRow.package_id == package_id))
        return bool(row["exists"])

    async def set_calendar_event(self, booking_id: str, event_id: str | None) -> None:
        await write(self._connection, _SET_CALENDAR_EVENT(booking_id, event_id))

    async def with_calendar_event(self, booking_id: str) -> tuple[Booking, str | None] | None:
        rows = await fetch(self._connection, _WITH_CALENDAR_EVENT(booking_id))
        return (_booking(rows[0]), rows[0]["calendar_event_id"]) if rows else None

    async def calendar_event(self, booking_id: str) -> str | None:
        rows = await fetch(self._connection, _CALENDAR_EVENT(booking_id))
        return rows[0]["calendar_event_id"] if rows else None
