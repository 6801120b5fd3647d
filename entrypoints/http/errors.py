"""SPEC §8: one table from error class to status and code, and one body for every error -
domain errors, Litestar's own (validation, unknown route, wrong method, body too large) and
the unexpected."""

from __future__ import annotations

import logging
import math
from typing import Any

from litestar import MediaType, Request, Response
from litestar.exceptions import HTTPException, NotAuthorizedException, PermissionDeniedException
from litestar.exceptions import NotFoundException as RouteNotFound
from litestar.exceptions import ValidationException as LitestarValidation
from litestar.exceptions.http_exceptions import RequestEntityTooLarge
from litestar.status_codes import HTTP_500_INTERNAL_SERVER_ERROR

from domain.errors import (
    Conflict,
    DomainError,
    NotFound,
    PaymentProviderFailed,
    PaymentProviderUnavailable,
    RateLimited,
    StorageUnavailable,
    TransientFailure,
    Unauthorized,
    ValidationFailed,
    WebhookInProgress,
    WebhookProcessingFailed,
    WebhookRejected,
)
from entrypoints.http.request_context import request_id_of

log = logging.getLogger("elope.http")

MiB = 1 << 20

DOMAIN_ERRORS: list[tuple[type[DomainError], int, str]] = [
    (ValidationFailed, 400, "VALIDATION_ERROR"),
    (Unauthorized, 401, "UNAUTHORIZED"),
    (NotFound, 404, "NOT_FOUND"),
    (WebhookInProgress, 409, "CONFLICT"),
    (Conflict, 409, "CONFLICT"),
    (WebhookRejected, 422, "WEBHOOK_VALIDATION_ERROR"),
    (RateLimited, 429, "RATE_LIMITED"),
    (WebhookProcessingFailed, 500, "WEBHOOK_PROCESSING_ERROR"),
    (PaymentProviderFailed, 502, "BAD_GATEWAY"),
    (PaymentProviderUnavailable, 503, "SERVICE_UNAVAILABLE"),
    (StorageUnavailable, 503, "SERVICE_UNAVAILABLE"),
    (TransientFailure, 503, "SERVICE_UNAVAILABLE"),
]

HTTP_CODES = {
    400: "VALIDATION_ERROR",
    401: "UNAUTHORIZED",
    403: "FORBIDDEN",
    404: "NOT_FOUND",
    405: "METHOD_NOT_ALLOWED",
    409: "CONFLICT",
    422: "WEBHOOK_VALIDATION_ERROR",
    429: "RATE_LIMITED",
    503: "SERVICE_UNAVAILABLE",
}


# Messages often quote the caller's input ("no package '...'"): a megabyte of it is not
# worth sending back.
MAX_MESSAGE = 300


def error_response(
    request: Request[Any, Any, Any], status: int, code: str, message: str,
    headers: dict[str, str] | None = None,
) -> Response[dict[str, str]]:
    body = {"error": code, "message": _printable(message), "requestId": request_id_of(request)}
    return Response(body, status_code=status, media_type=MediaType.JSON, headers=headers)


def _printable(message: str) -> str:
    # A lone surrogate (what the json module makes of the escape "\ud800" in a webhook's
    # metadata) cannot be encoded as UTF-8: the response would fail to serialize - a 500
    # with no body at all. The webhook now refuses such payloads first; this stays the net.
    text = message.encode("utf-8", "replace").decode("utf-8")
    return text if len(text) <= MAX_MESSAGE else text[: MAX_MESSAGE - 1] + "…"


def on_domain_error(request: Request[Any, Any, Any], exc: DomainError) -> Response[dict[str, str]]:
    for error_class, status, code in DOMAIN_ERRORS:
        if isinstance(exc, error_class):
            response = error_response(request, status, code, exc.message)
            if isinstance(exc, RateLimited) and exc.retry_after is not None:
                # Whole seconds, rounded up (RFC 9110 delay-seconds): never "retry now".
                response.headers["Retry-After"] = str(max(1, math.ceil(exc.retry_after)))
            return response
    return on_unexpected(request, exc)


def on_http_exception(request: Request[Any, Any, Any], exc: HTTPException) -> Response[dict[str, str]]:
    status = exc.status_code
    if status >= 500:
        return on_unexpected(request, exc)
    if isinstance(exc, RequestEntityTooLarge):
        # SPEC §8 has no 413; a body over the cap is malformed input like any other.
        return error_response(request, 400, "VALIDATION_ERROR", _too_large(request))
    code = HTTP_CODES.get(status, "VALIDATION_ERROR")
    # Headers the exception carries stay: the 405's Allow above all.
    return error_response(request, status, code, _describe(exc), exc.headers)


def on_unexpected(request: Request[Any, Any, Any], exc: Exception) -> Response[dict[str, str]]:
    # The trace goes to the log (with the request id); the caller only gets the id.
    log.error("unhandled %s on %s %s", type(exc).__name__, request.method, request.url.path, exc_info=exc)
    return error_response(
        request,
        HTTP_500_INTERNAL_SERVER_ERROR,
        "INTERNAL_ERROR",
        "something went wrong on our side; quote the requestId if you ask us",
    )


def _too_large(request: Request[Any, Any, Any]) -> str:
    limit = request.route_handler.resolve_request_max_body_size()
    return f"the request body is larger than {limit // MiB} MiB" if limit else "the request body is too large"


def _describe(exc: HTTPException) -> str:
    if isinstance(exc, LitestarValidation):
        problems = [
            f"{item.get('key') or 'body'}: {item.get('message')}"
            for item in (exc.extra or [])
            if isinstance(item, dict)
        ]
        return "invalid request: " + "; ".join(problems) if problems else "invalid request"
    if isinstance(exc, RouteNotFound):
        return "no such resource"
    if isinstance(exc, NotAuthorizedException):
        return "a valid admin token is required"
    if isinstance(exc, PermissionDeniedException):
        return "not allowed"
    if exc.status_code == 405:
        return "this resource does not answer this method; see the Allow header"
    return str(exc.detail)


EXCEPTION_HANDLERS = {
    DomainError: on_domain_error,
    HTTPException: on_http_exception,
    Exception: on_unexpected,
}
