"""The booking facts on PostgreSQL: one statement of subqueries."""

from __future__ import annotations

import json
from typing import Any

from piccolo.querystring import QueryString

from adapters.piccolo.packages import package_of, select_packages
from adapters.piccolo.prepared import Prepared
from adapters.piccolo.statements import Connection, fetch
from adapters.piccolo.tables import BlackoutRow, BookingRow, EarlyRefundRow, PackageRow
from application.ports.booking_facts import BookingFacts
from domain.event_date import EventDate

# Raw: Piccolo has no EXISTS or row_to_json as values. The PAID literal lets the partial
# index booking_one_paid_per_date serve the date's lookup (a bound value would not).
_FACTS = Prepared(lambda session_id, date, package_id, payment_intent_id: QueryString(
    "SELECT EXISTS ({}) AS booked_by_session, EXISTS ({}) AS date_booked,"
    " EXISTS ({}) AS blackout, EXISTS ({}) AS refunded_early,"
    " (SELECT row_to_json(p) FROM ({}) p) AS package",
    BookingRow.select(BookingRow.id).where(BookingRow.session_id == session_id).querystrings[0],
    QueryString("SELECT 1 FROM booking WHERE event_date = {} AND status = 'PAID'", date),
    BlackoutRow.select(BlackoutRow.id).where(BlackoutRow.date == date).querystrings[0],
    EarlyRefundRow.select(EarlyRefundRow.payment_intent_id).where(
        EarlyRefundRow.payment_intent_id == payment_intent_id).querystrings[0],
    select_packages().where(PackageRow.id == package_id).querystrings[0]), reads_only=True)


class PiccoloBookingFacts:
    def __init__(self, connection: Connection) -> None:
        self._connection = connection

    async def for_paid_session(
        self, session_id: str, date: EventDate, package_id: str, payment_intent_id: str | None,
    ) -> BookingFacts:
        # No payment intent: an id no refund can carry, so the subquery finds nothing.
        (row,) = await fetch(self._connection, _FACTS(
            session_id, date.value, package_id, payment_intent_id or ""))
        package: Any = row["package"]
        if isinstance(package, str):
            package = json.loads(package)
        return BookingFacts(
            booked_by_session=row["booked_by_session"], date_booked=row["date_booked"],
            blackout=row["blackout"], package=package_of(package) if package else None,
            refunded_early=row["refunded_early"])
