"""SPEC §6: routes that exist only in the mock preset, so the whole flow can be tried in a
browser with no Stripe account. Not registered at all in the real preset (404)."""

from __future__ import annotations

import html

from litestar import Controller, MediaType, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody
from litestar.response import Redirect

from adapters.stand_ins.local_checkout import LocalCheckout
from application.commands import RecordStripeEvent
from application.messaging.bus import MessageBus
from application.queries.bookings import BookingQueries
from domain.errors import Conflict, NotFound
from entrypoints.http.controllers.checkout_pages import amount
from entrypoints.http.schemas import BookingRead, SimulateCheckoutCreate


def _checkout(local_checkout: LocalCheckout | None) -> LocalCheckout:
    if local_checkout is None:
        raise NotFound("dev routes exist only with the local checkout stand-in")
    return local_checkout


async def _complete(
    bus: MessageBus, bookings: BookingQueries, checkout: LocalCheckout, session_id: str,
    correlation_id: str,
) -> BookingRead:
    """The same path a signed checkout.session.completed webhook takes."""
    raw, signature = checkout.pay(session_id)
    await bus.handle(RecordStripeEvent(raw_body=raw, signature=signature, correlation_id=correlation_id))
    booking = await bookings.by_session(session_id)
    if booking is None:
        raise Conflict("the date was taken before this payment completed; it was refunded")
    return BookingRead.of(booking)


class DevController(Controller):
    path = "/v1/dev"
    tags = ["dev (mock preset only)"]

    @post(
        "/simulate-checkout-completed",
        operation_id="simulateCheckoutCompleted",
        status_code=200,
        summary="Complete a mock checkout as its paid webhook would",
    )
    async def simulate(
        self,
        bus: NamedDependency[MessageBus],
        bookings: NamedDependency[BookingQueries],
        local_checkout: NamedDependency[LocalCheckout | None],
        correlation_id: NamedDependency[str],
        data: JSONBody[SimulateCheckoutCreate],
    ) -> BookingRead:
        return await _complete(bus, bookings, _checkout(local_checkout), data.session_id, correlation_id)

    @get(
        "/checkout/{session_id:str}",
        operation_id="mockPayPage",
        media_type=MediaType.HTML,
        summary="The mock checkout page",
    )
    async def pay_page(
        self, local_checkout: NamedDependency[LocalCheckout | None], session_id: FromPath[str]
    ) -> str:
        session = _checkout(local_checkout).session_view(session_id)
        meta = session["metadata"]
        items = "".join(
            f"<li>{html.escape(i['name'])}: {html.escape(amount(i['amount']))}</li>"
            for i in session["line_items"]
        )
        if session["status"] == "open":
            # Like Stripe's page: Pay, or go back to the business's cancel page (Stripe fills
            # in the session's id there as in the success URL).
            cancel_url = str(session["cancel_url"]).replace("{CHECKOUT_SESSION_ID}", session_id)
            actions = (f'<form method="post" action="/v1/dev/checkout/{html.escape(session_id)}'
                       f'/pay"><button type="submit">Pay</button></form>'
                       f'<p><a href="{html.escape(cancel_url)}">Cancel</a></p>')
        else:
            state = "paid" if session["payment_status"] == "paid" else session["status"]
            actions = f"<p>This checkout is {html.escape(str(state))}: nothing to pay.</p>"
        return _PAGE.format(
            date=html.escape(meta.get("eventDate", "")),
            names=html.escape(meta.get("coupleName", "")),
            items=items,
            total=html.escape(amount(session["amount_total"])),
            actions=actions,
        )

    @post(
        "/checkout/{session_id:str}/pay",
        operation_id="mockPay",
        status_code=303,
        summary="The mock checkout page's Pay button",
    )
    async def pay(
        self,
        bus: NamedDependency[MessageBus],
        local_checkout: NamedDependency[LocalCheckout | None],
        correlation_id: NamedDependency[str],
        session_id: FromPath[str],
    ) -> Redirect:
        checkout = _checkout(local_checkout)
        raw, signature = checkout.pay(session_id)
        await bus.handle(RecordStripeEvent(raw_body=raw, signature=signature,
                                           correlation_id=correlation_id))
        # Where Stripe sends the couple after paying, whatever the booking's outcome: the
        # success page says booked, or the email explains the refund.
        success = str(checkout.session_view(session_id)["success_url"])
        return Redirect(path=success.replace("{CHECKOUT_SESSION_ID}", session_id),
                        status_code=303)


_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Elope - mock checkout</title>
<style>body{{font-family:system-ui;max-width:32rem;margin:3rem auto}}button{{font-size:1.2rem}}</style>
</head><body>
<h1>Mock checkout</h1>
<p>{names} - {date}</p>
<ul>{items}</ul>
<p><strong>Total: {total}</strong></p>
{actions}
<p><small>No money moves: this page stands in for Stripe Checkout in the mock preset.</small></p>
</body></html>
"""
