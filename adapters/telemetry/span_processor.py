"""Stamps the correlation id, and the journey id inside a journey, on every span, whoever
creates it (ours, the server span, httpx): `CorrelationIdSampler` wraps the provider's sampler
and adds the ids to the attributes a sampled span is created with - no extra call and no
attribute lock per span."""

from __future__ import annotations

from collections.abc import Sequence

from opentelemetry import baggage
from opentelemetry.context import Context
from opentelemetry.sdk.trace.sampling import Decision, Sampler, SamplingResult
from opentelemetry.trace import Link, SpanKind, TraceState
from opentelemetry.util.types import Attributes

from adapters.telemetry.correlation import (
    CORRELATION_KEY,
    JOURNEY_KEY,
    get_correlation_id,
    get_journey_id,
)


def current_correlation_id(parent_context: Context | None) -> str:
    """The bound correlation id, else the one in the OTel baggage, else ""."""
    return get_correlation_id() or _from_baggage(parent_context)


class CorrelationIdSampler(Sampler):
    """Decides as `decision_maker` does; a span it keeps starts with attribute `correlation.id`
    (set at creation, so even processors and exporters that look at the start see it)."""

    def __init__(self, decision_maker: Sampler) -> None:
        self._decision_maker = decision_maker

    def should_sample(
        self,
        parent_context: Context | None,
        trace_id: int,
        name: str,
        kind: SpanKind | None = None,
        attributes: Attributes = None,
        links: Sequence[Link] | None = None,
        trace_state: TraceState | None = None,
    ) -> SamplingResult:
        result = self._decision_maker.should_sample(
            parent_context, trace_id, name, kind, attributes, links, trace_state)
        if result.decision is Decision.DROP:
            return result
        # An id the creator passed explicitly wins: e.g. a relay span carries the id its
        # event was born under, not the relay's.
        stamped: dict[str, str] = {}
        if CORRELATION_KEY not in result.attributes:
            cid = current_correlation_id(parent_context)
            if cid:
                stamped[CORRELATION_KEY] = cid
        journey = get_journey_id()
        if journey and JOURNEY_KEY not in result.attributes:
            stamped[JOURNEY_KEY] = journey
        if not stamped:
            return result
        return SamplingResult(result.decision, {**result.attributes, **stamped},
                              result.trace_state)

    def get_description(self) -> str:
        return f"CorrelationId{{{self._decision_maker.get_description()}}}"


def _from_baggage(parent_context: Context | None) -> str:
    # Fallback for contexts where only the OTel context was carried over (e.g. a thread that
    # got an explicitly attached context but not our contextvar).
    value = baggage.get_baggage(CORRELATION_KEY, parent_context)
    return value if isinstance(value, str) else ""
