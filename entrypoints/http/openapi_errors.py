"""The OpenAPI document's error responses: every status an operation can answer with, each
with SPEC §8's body (issue 10, item 9).

One table, applied to every route when the app is built, rather than a `responses=` on each
decorator: most of an operation's errors follow from what it is - every route has the edge
checks (400), an admin route its guard (401), a path parameter its 404, a write its lock
timeout (409), every route but the liveness probe its database (503) - so they are derived
from the route itself, and a route added later is documented without anyone remembering to.
What only some operations do (a payment provider called, a rate limit) is listed by
operation id below. Litestar's own "Validation Exception" 400, whose body is not ours, is
replaced by the same key.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import msgspec
from litestar import Litestar
from litestar.enums import ParamType
from litestar.handlers import HTTPRouteHandler
from litestar.openapi.datastructures import ResponseSpec
from litestar.openapi.spec import OpenAPIHeader, OpenAPIType, Operation, Schema
from litestar.routes import HTTPRoute

from entrypoints.http.admin_auth import admin_guard
from entrypoints.http.edge_checks import MAX_PATH_VALUE
from entrypoints.http.input_types import NO_CONTROLS

ErrorCode = Literal[
    "VALIDATION_ERROR", "UNAUTHORIZED", "FORBIDDEN", "NOT_FOUND", "METHOD_NOT_ALLOWED",
    "CONFLICT", "WEBHOOK_VALIDATION_ERROR", "RATE_LIMITED", "BAD_GATEWAY",
    "WEBHOOK_PROCESSING_ERROR", "INTERNAL_ERROR", "SERVICE_UNAVAILABLE",
]


class Error(msgspec.Struct, rename="camel"):
    """SPEC §8: the body of every error response."""

    error: ErrorCode
    message: str
    request_id: str


WHY = {
    400: "The request is malformed: a parameter or body field of the wrong type, length or"
         " form, text with control characters, a JSON body too deep or too large"
         " (`VALIDATION_ERROR`)",
    401: "No valid admin token, or wrong credentials (`UNAUTHORIZED`)",
    404: "No such resource (`NOT_FOUND`)",
    409: "The resource changed meanwhile or is taken, or another request holds it (`CONFLICT`)",
    422: "A verified webhook whose content cannot be used (`WEBHOOK_VALIDATION_ERROR`)",
    429: "Too many requests from this client; retry after `Retry-After` seconds"
         " (`RATE_LIMITED`)",
    500: "The event was recorded but its processing failed; it is processed again on its next"
         " delivery (`WEBHOOK_PROCESSING_ERROR`)",
    502: "The payment provider refused or failed the call (`BAD_GATEWAY`)",
    503: "The database or the payment provider cannot be reached; retry later"
         " (`SERVICE_UNAVAILABLE`)",
}

# What only some operations do, by operation id.
RATE_LIMITED = {"createCheckout", "receiveStripeWebhook", "adminLogin"}
CALLS_THE_PROVIDER = {"createCheckout", "adminCancelBooking", "receiveStripeWebhook",
                      "adminReplayWebhook", "simulateCheckoutCompleted", "mockPay"}
PROCESSES_WEBHOOKS = {"receiveStripeWebhook", "adminReplayWebhook", "simulateCheckoutCompleted",
                      "mockPay"}
LOGS_IN = {"adminLogin"}
# A body naming something that may not exist: a package slug, a checkout session.
LOOKS_UP_BY_BODY = {"createCheckout", "simulateCheckoutCompleted"}
# The liveness probe answers from the process alone; everything else reads storage.
NEEDS_NO_STORAGE = {"live"}


def statuses_of(handler: HTTPRouteHandler, operation_id: str, has_path_params: bool) -> set[int]:
    """Every error status `handler`'s operation can answer with."""
    found = {400}  # the edge checks run on every route (entrypoints/http/edge_checks.py)
    if admin_guard in handler.resolve_guards() or operation_id in LOGS_IN:
        found.add(401)  # the admin guard; login's wrong password
    if has_path_params or operation_id in LOOKS_UP_BY_BODY:
        found.add(404)
    if not handler.http_methods <= {"GET", "HEAD"}:
        found.add(409)
    if operation_id in RATE_LIMITED:
        found.add(429)
    if operation_id in CALLS_THE_PROVIDER:
        found.add(502)
    if operation_id in PROCESSES_WEBHOOKS:
        found |= {422, 500}
    if operation_id not in NEEDS_NO_STORAGE:
        found.add(503)
    return found


# A dataclass again: only then does the generated __init__ call __post_init__.
@dataclass
class DocumentedErrors(Operation):
    """An operation whose 429 says which header tells when to retry (ResponseSpec carries a
    body only), and whose path parameters show the edge checks' bounds."""

    def __post_init__(self) -> None:
        for parameter in self.parameters or []:
            schema = getattr(parameter, "schema", None)
            if getattr(parameter, "param_in", None) == ParamType.PATH and isinstance(schema, Schema):
                # Longer names nothing (404); a control character is refused (400).
                schema.max_length, schema.pattern = MAX_PATH_VALUE, NO_CONTROLS
            elif (getattr(parameter, "param_in", None) == ParamType.QUERY and isinstance(schema, Schema)
                  and schema.pattern is None and schema.type != OpenAPIType.INTEGER):
                schema.pattern = NO_CONTROLS  # query text: refused with control characters too
        limited = (self.responses or {}).get("429")
        if limited is not None and hasattr(limited, "headers"):
            limited.headers = {"Retry-After": OpenAPIHeader(
                schema=Schema(type=OpenAPIType.INTEGER, minimum=1), required=True,
                description="Whole seconds until the client's budget allows a request again")}


def declare_error_responses(app: Litestar) -> None:
    """Give every operation of `app` its error responses, before the document is built
    (lazily, on its first request)."""
    for route in app.routes:
        if not isinstance(route, HTTPRoute):
            continue
        for handler in route.route_handlers:
            operation_id = handler.operation_id if isinstance(handler.operation_id, str) else ""
            responses: dict[int, ResponseSpec] = dict(handler.responses or {})
            for status in sorted(statuses_of(handler, operation_id, bool(route.path_parameters))):
                responses.setdefault(status, ResponseSpec(
                    data_container=Error, description=WHY[status], generate_examples=False))
            handler.responses = responses
            if handler.operation_class is Operation:
                handler.operation_class = DocumentedErrors

