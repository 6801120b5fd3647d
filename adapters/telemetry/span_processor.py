"""Stamps the correlation id on every span, whoever creates it (ours, ASGI, asyncpg, httpx)."""

from __future__ import annotations

from opentelemetry import baggage
from opentelemetry.context import Context
from opentelemetry.sdk.trace import ReadableSpan, Span, SpanProcessor

from adapters.telemetry.correlation import CORRELATION_KEY, get_correlation_id


class CorrelationIdSpanProcessor(SpanProcessor):
    """Adds attribute `correlation.id` at span start (attributes set later would miss exporters
    that snapshot at start, and on_end only sees a read-only span)."""

    def on_start(self, span: Span, parent_context: Context | None = None) -> None:
        # An id the creator passed explicitly wins: e.g. a webhook span may carry the
        # checkout's correlation id rather than the one of Stripe's HTTP call.
        if span.attributes is not None and CORRELATION_KEY in span.attributes:
            return
        cid = get_correlation_id() or _from_baggage(parent_context)
        if cid:
            span.set_attribute(CORRELATION_KEY, cid)

    def on_end(self, span: ReadableSpan) -> None:
        return None

    def shutdown(self) -> None:
        return None

    def force_flush(self, timeout_millis: int = 30000) -> bool:
        return True


def _from_baggage(parent_context: Context | None) -> str:
    # Fallback for contexts where only the OTel context was carried over (e.g. a thread that
    # got an explicitly attached context but not our contextvar).
    value = baggage.get_baggage(CORRELATION_KEY, parent_context)
    return value if isinstance(value, str) else ""
