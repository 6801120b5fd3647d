"""create_app(): the one place routes, dependencies, errors, middleware and lifespan meet."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from typing import Any

from litestar import Litestar, Router
from litestar.config.cors import CORSConfig
from litestar.datastructures import State
from litestar.openapi import OpenAPIConfig
from litestar.openapi.spec import Components, SecurityScheme

from adapters.memory.rate_limits import MemoryRateLimiter
from adapters.telemetry.access_log_middleware import AccessLogMiddleware
from adapters.telemetry.otel_tracing import tracing_installed
from adapters.telemetry.request_id_middleware import RequestIdMiddleware
from adapters.telemetry.server_span_middleware import ServerSpanMiddleware
from entrypoints.bootstrap import Elope
from entrypoints.http.admin_auth import AdminTokens, admin_guard
from entrypoints.http.background import background_loops
from entrypoints.http.client_address import ClientAddresses
from entrypoints.http.controllers.admin_access import AdminLoginController
from entrypoints.http.controllers.admin_blackouts import AdminBlackoutsController
from entrypoints.http.controllers.admin_bookings import AdminBookingsController
from entrypoints.http.controllers.admin_catalog import AdminCatalogController
from entrypoints.http.controllers.admin_sessions import AdminSessionsController
from entrypoints.http.controllers.admin_webhooks import AdminWebhooksController
from entrypoints.http.controllers.availability import AvailabilityController
from entrypoints.http.controllers.bookings import BookingsController
from entrypoints.http.controllers.checkout_pages import CheckoutPagesController
from entrypoints.http.controllers.dev import DevController
from entrypoints.http.controllers.health import HealthController
from entrypoints.http.controllers.metrics import MetricsController
from entrypoints.http.controllers.public_catalog import CatalogController
from entrypoints.http.controllers.stripe_webhook import StripeWebhookController
from entrypoints.http.dependencies import app_dependencies
from entrypoints.http.documentation_pages import documentation_pages, documentation_router
from entrypoints.http.edge_checks import MAX_JSON_BODY, refuse_hostile_input
from entrypoints.http.errors import EXCEPTION_HANDLERS
from entrypoints.http.input_types import TYPE_DECODERS, WholeNumberSchema
from entrypoints.http.openapi_errors import declare_error_responses
from entrypoints.http.rate_limits import STATE_KEY, RouteRateLimits
from entrypoints.http.span_names import UNTRACED_PATHS

API_VERSION = "1.0.0"


def create_asgi(
    elope: Elope,
    *,
    run_background: bool = True,
    on_startup: Sequence[Callable[[], Awaitable[None]]] = (),
    on_shutdown: Sequence[Callable[[], Awaitable[None]]] = (),
) -> RequestIdMiddleware:
    """The app as served: wrapped in the request-id middleware, outside Litestar, because
    Litestar runs its own middleware per route - an unknown path would get no X-Request-ID.
    Inside it, the server span (only when something records spans: otherwise it would be
    per-request work for the OTel API's no-op), and inside that the access line and request
    histogram, so the line carries the server span's trace and span ids."""
    app: Any = create_app(elope, run_background=run_background, on_startup=on_startup,
                          on_shutdown=on_shutdown)
    # Probes and scrapes, which get no span, are logged at DEBUG only (still measured).
    app = AccessLogMiddleware(app, elope.metrics, log_requests=elope.settings.access_log,
                              quiet=UNTRACED_PATHS)
    if tracing_installed():
        app = ServerSpanMiddleware(app, untraced=UNTRACED_PATHS)
    return RequestIdMiddleware(app)


def create_app(
    elope: Elope,
    *,
    run_background: bool = True,
    on_startup: Sequence[Callable[[], Awaitable[None]]] = (),
    on_shutdown: Sequence[Callable[[], Awaitable[None]]] = (),
) -> Litestar:
    admin = Router(
        path="/",
        guards=[admin_guard],
        security=[{"BearerToken": []}],
        route_handlers=[
            AdminBookingsController,
            AdminBlackoutsController,
            AdminCatalogController,
            AdminSessionsController,
            AdminWebhooksController,
        ],
    )
    handlers: list[object] = [
        CatalogController,
        AvailabilityController,
        BookingsController,
        CheckoutPagesController,
        StripeWebhookController,
        AdminLoginController,
        admin,
        HealthController,
        MetricsController,
    ]
    if elope.settings.is_mock:
        handlers.append(DevController)

    @asynccontextmanager
    async def lifespan(_: Litestar) -> AsyncIterator[None]:
        await elope.start()
        try:
            for step in on_startup:
                await step()
            if not run_background:
                yield
                return
            async with background_loops(elope):
                yield
        finally:
            await elope.stop()
            for step in on_shutdown:
                await step()

    settings = elope.settings
    # One issuer for the login route and one checker for the admin guard, the same object.
    tokens = AdminTokens.of(settings.effective_jwt_secret, elope.clock, settings.jwt_ttl_minutes,
                            elope.queries.admins)
    app = Litestar(
        route_handlers=handlers,  # type: ignore[arg-type]
        dependencies=app_dependencies(elope, tokens),
        exception_handlers=EXCEPTION_HANDLERS,  # type: ignore[arg-type]
        type_decoders=TYPE_DECODERS,
        plugins=[WholeNumberSchema()],
        # No stranger's input reaches a handler unchecked (see edge_checks); the webhook
        # route sets a cap of its own.
        before_request=refuse_hostile_input,
        request_max_body_size=MAX_JSON_BODY,
        cors_config=CORSConfig(allow_origins=[settings.cors_origin]) if settings.cors_origin else None,
        openapi_config=OpenAPIConfig(
            title="Elope",
            version=API_VERSION,
            description="Booking API for an elopement business.",
            render_plugins=documentation_pages(),
            openapi_router=documentation_router(),
            components=Components(
                security_schemes={
                    "BearerToken": SecurityScheme(type="http", scheme="bearer", bearer_format="JWT")
                }
            ),
        ),
        state=State({"admin_tokens": tokens,
                     STATE_KEY: RouteRateLimits(ClientAddresses(settings.trusted_proxy_networks), {
                         "checkout": (settings.checkout_rate, elope.limiter),
                         # Per instance, in memory: a shield against floods, where a counter
                         # shared in PostgreSQL made every delivery a write to one hot row
                         # (paid webhooks at c=32 fell from 57 % to 37 % of the floor).
                         "webhook": (settings.webhook_rate, MemoryRateLimiter()),
                     })}),
        lifespan=[lifespan],
        # Logging is configured once by the process (adapters.telemetry.log_format), with the
        # correlation id on every line; Litestar's own config would replace that handler.
        logging_config=None,
        debug=False,
    )
    declare_error_responses(app)
    return app
