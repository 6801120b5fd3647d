from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody

from application.commands import CheckoutCreated, CreateCheckout
from application.queries.bookings import booking_by_id
from entrypoints.bootstrap import Elope
from entrypoints.http.request_context import request_id_of
from entrypoints.http.schemas import BookingRead, CheckoutCreate, CheckoutRead, utc


class BookingsController(Controller):
    path = "/v1/bookings"
    tags = ["bookings"]

    @post(
        "/checkout",
        operation_id="createCheckout",
        status_code=201,
        summary="Hold a date and open a Stripe Checkout Session",
    )
    async def checkout(
        self,
        elope: NamedDependency[Elope],
        data: JSONBody[CheckoutCreate],
        request: Request[Any, Any, Any],
    ) -> CheckoutRead:
        created: CheckoutCreated = await elope.bus.handle(
            CreateCheckout(
                package_slug=data.package_slug,
                event_date=data.event_date,
                couple_name=data.couple_name,
                email=data.email,
                phone=data.phone,
                add_on_ids=tuple(data.add_on_ids),
                correlation_id=request_id_of(request),
            )
        )
        return CheckoutRead(
            created.checkout_url, created.session_id, utc(created.expires_at), created.total_cents
        )

    @get("/{booking_id:str}", operation_id="getBooking", summary="One booking")
    async def get_booking(self, elope: NamedDependency[Elope], booking_id: FromPath[str]) -> BookingRead:
        return BookingRead.of(await booking_by_id(elope.uow, booking_id))
