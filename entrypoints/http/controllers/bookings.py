from __future__ import annotations

from litestar import Controller, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody

from application.commands import CheckoutCreated, CreateCheckout
from application.messaging.bus import MessageBus
from application.queries.bookings import BookingQueries
from entrypoints.http.rate_limits import rate_limited
from entrypoints.http.schemas import BookingRead, CheckoutCreate, CheckoutRead, utc


class BookingsController(Controller):
    path = "/v1/bookings"
    tags = ["bookings"]

    @post(
        "/checkout",
        operation_id="createCheckout",
        status_code=201,
        summary="Hold a date and open a Stripe Checkout Session",
        guards=[rate_limited("checkout")],
    )
    async def checkout(
        self,
        bus: NamedDependency[MessageBus],
        correlation_id: NamedDependency[str],
        client: NamedDependency[str],
        data: JSONBody[CheckoutCreate],
    ) -> CheckoutRead:
        created: CheckoutCreated = await bus.handle(
            CreateCheckout(
                package_slug=data.package_slug,
                event_date=data.event_date,
                couple_name=data.couple_name,
                email=data.email,
                phone=data.phone,
                add_on_ids=tuple(data.add_on_ids),
                client=client,
                correlation_id=correlation_id,
            )
        )
        return CheckoutRead(
            created.checkout_url, created.session_id, utc(created.expires_at), created.total_cents
        )

    @get("/{booking_id:str}", operation_id="getBooking", summary="One booking")
    async def get_booking(
        self, bookings: NamedDependency[BookingQueries], booking_id: FromPath[str]
    ) -> BookingRead:
        return BookingRead.of(await bookings.by_id(booking_id))
