"""Sampling by booking journey: every span of one journey gets the same decision.

A booking spans several traces - the checkout request, Stripe's webhook delivery, the relay's
deliveries, an admin's cancel - so a per-trace ratio would keep some of them and drop others.
A journey is named by the correlation id of its checkout request: spans started inside
`Tracing.journey` carry it as `booking.correlation_id`; any other span is of the journey of
the correlation id it runs under (a checkout request's is its own).

What this cannot reach: spans that start before the journey is known - the webhook request's
server and command spans, the admin cancel's - are decided by their own request's correlation
id; they get the journey attribute later, but a dropped span stays dropped. The spans that do
the booking's work (the "stripe event" span and everything under it, the relay's) decide by
the journey.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping, Sequence

from opentelemetry import trace
from opentelemetry.context import Context
from opentelemetry.sdk.trace.sampling import (
    ALWAYS_OFF,
    ALWAYS_ON,
    Decision,
    ParentBased,
    Sampler,
    SamplingResult,
)
from opentelemetry.trace import Link, SpanKind, TraceState
from opentelemetry.util.types import Attributes

from adapters.telemetry.correlation import CORRELATION_KEY, JOURNEY_KEY, get_journey_id
from adapters.telemetry.span_processor import current_correlation_id

_JOURNEY_SPACE = 1 << 64
# The lower 64 bits of a W3C trace id are random; the stock TraceIdRatioBased samples on them.
_TRACE_ID_LOW = _JOURNEY_SPACE - 1


def journey_of(attributes: Attributes, parent_context: Context | None) -> str:
    """The journey a span starting with `attributes` belongs to, or "" when nothing names one."""
    named = _string(attributes, JOURNEY_KEY) or get_journey_id()
    # Inside a journey scope a span's own correlation id (the webhook's) does not count.
    return named or _string(attributes, CORRELATION_KEY) or current_correlation_id(parent_context)


def _string(attributes: Attributes, key: str) -> str:
    value = attributes.get(key) if attributes else None
    return value if isinstance(value, str) else ""


def journey_position(journey_id: str) -> int:
    """Where a journey falls in [0, 2**64): a stable hash, the same in every process (unlike
    `hash()`), so every worker and every trace of a journey decide alike."""
    return int.from_bytes(hashlib.blake2b(journey_id.encode(), digest_size=8).digest(), "big")


class JourneySampler(Sampler):
    """Keeps `ratio` of journeys, decided by a hash of the journey id. Spans without any id
    fall back to the trace id's ratio; parent-based, they follow their parent instead."""

    def __init__(self, ratio: float, *, parent_based: bool) -> None:
        if not 0.0 <= ratio <= 1.0:
            raise ValueError(f"a sampling ratio is between 0 and 1, not {ratio}")
        self._ratio = ratio
        self._bound = round(ratio * _JOURNEY_SPACE)
        self._parent_based = parent_based

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
        parent = trace.get_current_span(parent_context).get_span_context()
        journey = journey_of(attributes, parent_context)
        if journey:
            # Whatever the parent decided: a journey's spans sit in several traces, and only
            # its id is common to all of them.
            sampled = journey_position(journey) < self._bound
        elif self._parent_based and parent.is_valid:
            sampled = parent.trace_flags.sampled
        else:
            sampled = (trace_id & _TRACE_ID_LOW) < self._bound
        return SamplingResult(
            Decision.RECORD_AND_SAMPLE if sampled else Decision.DROP,
            attributes if sampled else None,
            parent.trace_state if parent.is_valid else None,
        )

    def get_description(self) -> str:
        kind = "ParentBasedJourneyRatio" if self._parent_based else "JourneyRatio"
        return f"{kind}{{{self._ratio}}}"


_SAMPLERS: Mapping[str, Callable[[float], Sampler]] = {
    "always_on": lambda _: ALWAYS_ON,
    "always_off": lambda _: ALWAYS_OFF,
    "traceidratio": lambda ratio: JourneySampler(ratio, parent_based=False),
    "parentbased_always_on": lambda _: ParentBased(ALWAYS_ON),
    "parentbased_always_off": lambda _: ParentBased(ALWAYS_OFF),
    "parentbased_traceidratio": lambda ratio: JourneySampler(ratio, parent_based=True),
}
SAMPLER_NAMES = tuple(_SAMPLERS)
"""The OTEL_TRACES_SAMPLER values this process understands (the OTel spec's built-in ones)."""


def sampler_for(name: str, ratio: float) -> Sampler:
    """The sampler OTEL_TRACES_SAMPLER names; the two ratio ones sample by journey, so that
    the ratio counts bookings, not traces. `ratio` (OTEL_TRACES_SAMPLER_ARG) is for those."""
    try:
        return _SAMPLERS[name](ratio)
    except KeyError:
        raise ValueError(f"unknown sampler {name!r}; expected one of {', '.join(_SAMPLERS)}"
                         ) from None
