"""The request's correlation id: one value shared by its spans, its log lines and its events.

It lives in two places on purpose. The contextvar is the source of truth inside this process
(the ASGI instrumentation replaces the OTel context with one extracted from the request
headers, which drops any baggage set before it). The OTel baggage copy lets the id travel to
code that only sees an OTel context, and out to other services via the baggage header.
"""

from __future__ import annotations

import random
import re
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar, Token
from dataclasses import dataclass

from opentelemetry import baggage, context

CORRELATION_KEY = "correlation.id"
"""Both the baggage key and the span attribute name, so a tracing UI shows the same name."""

JOURNEY_KEY = "booking.correlation_id"
"""The span attribute (and log field) naming the booking journey a piece of work belongs to:
the correlation id of the checkout request that started the booking (SPEC §7)."""

_REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{1,128}")

# Empty string, not None, as the default: callers format it into logs and headers directly.
_correlation_id: ContextVar[str] = ContextVar("elope_correlation_id", default="")
_journey_id: ContextVar[str] = ContextVar("elope_journey_id", default="")


@dataclass(frozen=True, slots=True)
class CorrelationToken:
    """What `bind_correlation_id` hands back; both halves must be undone together."""

    var_token: Token[str]
    otel_token: Token[context.Context]


def get_correlation_id() -> str:
    """The bound correlation id, or "" outside any request/job."""
    return _correlation_id.get()


def valid_request_id(value: str | None) -> str | None:
    """The caller's id if it is safe to echo back and log (1-128 of [A-Za-z0-9._-]), else None."""
    # fullmatch, not match with "$": "$" would also accept a trailing newline (log injection).
    if value is not None and _REQUEST_ID.fullmatch(value):
        return value
    return None


def new_correlation_id() -> str:
    # A label for following one request, not a secret: Python's generator, seeded from the
    # OS at start, instead of a system call per request (uuid4 reads os.urandom).
    return f"{random.getrandbits(128):032x}"


def bind_correlation_id(cid: str) -> CorrelationToken:
    """Make `cid` current for this task (and tasks/threads that copy its context)."""
    var_token = _correlation_id.set(cid)
    otel_token = context.attach(baggage.set_baggage(CORRELATION_KEY, cid))
    return CorrelationToken(var_token, otel_token)


def reset_correlation_id(token: CorrelationToken) -> None:
    """Undo `bind_correlation_id`; call in the same task, in reverse order of binding."""
    context.detach(token.otel_token)
    _correlation_id.reset(token.var_token)


@contextmanager
def correlation_scope(cid: str) -> Iterator[None]:
    """`with correlation_scope(cid):` for jobs and event handlers outside an HTTP request."""
    token = bind_correlation_id(cid)
    try:
        yield
    finally:
        reset_correlation_id(token)


def get_journey_id() -> str:
    """The booking journey the current work belongs to, or "" when it is of none."""
    return _journey_id.get()


@contextmanager
def journey_scope(journey_id: str) -> Iterator[None]:
    """Work (spans, log lines) started inside belongs to `journey_id`, whatever correlation
    id it runs under."""
    token = _journey_id.set(journey_id)
    try:
        yield
    finally:
        _journey_id.reset(token)
