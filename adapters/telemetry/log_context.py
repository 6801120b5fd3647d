"""What is known about the work a log line was written in: its trace, span, correlation id
and booking journey, stamped on the record so both log formats can show them."""

from __future__ import annotations

import logging

from opentelemetry import trace

from adapters.telemetry.correlation import JOURNEY_KEY, get_correlation_id, get_journey_id

CORRELATION_FIELD = "correlation_id"
TRACE_FIELD = "trace_id"
SPAN_FIELD = "span_id"
JOURNEY_FIELD = JOURNEY_KEY
"""`booking.correlation_id`: the same name as the span attribute, so one search in a log store
and in a tracing UI uses one name."""

CONTEXT_FIELDS = (CORRELATION_FIELD, JOURNEY_FIELD, TRACE_FIELD, SPAN_FIELD)
"""Every field this filter sets; "" where the value is not known."""


class LogContextFilter(logging.Filter):
    """Sits on the handler (not a logger): a handler's filters see every record propagated to
    it, a logger's only the records logged on that very logger. It runs in the thread and
    task that logged, so the contextvars and the current span are the caller's."""

    def filter(self, record: logging.LogRecord) -> bool:
        # A value the caller passed itself (`extra={"correlation_id": ...}`, e.g. for work
        # done on behalf of another request) wins over the ambient one.
        _default(record, CORRELATION_FIELD, get_correlation_id())
        _default(record, JOURNEY_FIELD, get_journey_id())
        context = trace.get_current_span().get_span_context()
        if context.is_valid:
            _default(record, TRACE_FIELD, trace.format_trace_id(context.trace_id))
            _default(record, SPAN_FIELD, trace.format_span_id(context.span_id))
        else:
            _default(record, TRACE_FIELD, "")
            _default(record, SPAN_FIELD, "")
        return True


def _default(record: logging.LogRecord, field: str, value: str) -> None:
    if not getattr(record, field, ""):
        setattr(record, field, value)
