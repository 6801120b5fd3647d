"""The pages Stripe Checkout sends a couple back to, when STRIPE_SUCCESS_URL and
STRIPE_CANCEL_URL are not set to the business's own site: small HTML, never raw JSON."""

from __future__ import annotations

import html
import re

from litestar import Controller, MediaType, get
from litestar.di import NamedDependency
from litestar.params import FromQuery

from application.commands import AbandonCheckout
from application.messaging.bus import MessageBus
from application.queries.bookings import BookingQueries
from domain.money import CURRENCY


def amount(cents: int) -> str:
    """`USD 1,800.00`: what a couple reads on a page."""
    return f"{CURRENCY.upper()} {cents // 100:,}.{cents % 100:02d}"


def page(title: str, *paragraphs: str) -> str:
    """A minimal page; every paragraph is already escaped by the caller."""
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    return (f'<!doctype html><html lang="en"><head><meta charset="utf-8">'
            f"<title>{html.escape(title)}</title><style>body{{font-family:system-ui;"
            f"max-width:32rem;margin:3rem auto}}</style></head><body>"
            f"<h1>{html.escape(title)}</h1>{body}</body></html>")


# A provider's session id (Stripe's `cs_test_...`); anything else is not looked up at all.
SESSION_ID = re.compile(r"[A-Za-z0-9_]{1,255}")


class CheckoutPagesController(Controller):
    path = "/checkout"
    tags = ["checkout pages"]
    include_in_schema = False

    @get("/success", media_type=MediaType.HTML, operation_id="checkoutSuccessPage")
    async def success(
        self, bookings: NamedDependency[BookingQueries],
        session_id: FromQuery[str | None] = None,
    ) -> str:
        booking = await bookings.by_session(session_id) if session_id else None
        if booking is None:
            # The payment's webhook has not been processed yet (or the date could not be
            # booked and the payment goes back): the email tells the couple which.
            return page("Thank you - payment received",
                        "We are confirming your booking now; an email with the details is on"
                        " its way.")
        return page(
            "Your elopement is booked",
            f"Date: <strong>{html.escape(str(booking.event_date))}</strong>",
            f"Total paid: <strong>{html.escape(amount(booking.total.cents))}</strong>",
            f"Booking reference: {html.escape(booking.id)}. A confirmation email is on its way.",
        )

    @get("/canceled", media_type=MediaType.HTML, operation_id="checkoutCanceledPage")
    async def canceled(
        self, bus: NamedDependency[MessageBus], correlation_id: NamedDependency[str],
        session_id: FromQuery[str | None] = None,
    ) -> str:
        # The default STRIPE_CANCEL_URL carries the session's id: the couple gave up, so the
        # date is freed now rather than when the session would have expired.
        freed = False
        if session_id and SESSION_ID.fullmatch(session_id):
            freed = await bus.handle(AbandonCheckout(session_id=session_id,
                                                     correlation_id=correlation_id))
        if freed:
            return page("Checkout canceled",
                        "No payment was taken, and the date is free again. You are welcome to"
                        " start a new checkout at any time.")
        return page("Checkout canceled",
                    "No payment was taken. Your date stays held for a little while, so you can"
                    " start again; after that it is free for others.")
