"""Sampling by booking journey: a booking's spans are kept or dropped together, whichever
trace they are in, and the ratio counts journeys."""

from __future__ import annotations

import random
import uuid

import pytest
from opentelemetry import trace
from opentelemetry.context import Context
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.sdk.trace.sampling import Decision, Sampler, TraceIdRatioBased
from opentelemetry.trace import NonRecordingSpan, SpanContext, TraceFlags

from adapters.telemetry.correlation import (
    CORRELATION_KEY,
    JOURNEY_KEY,
    correlation_scope,
    journey_scope,
)
from adapters.telemetry.journey_sampler import SAMPLER_NAMES, JourneySampler, sampler_for
from adapters.telemetry.otel_tracing import OtelTracing
from adapters.telemetry.span_processor import CorrelationIdSampler

RATIO_SAMPLERS = ["traceidratio", "parentbased_traceidratio"]
rng = random.Random(20261207)


def trace_id() -> int:
    return rng.getrandbits(128) or 1


def remote_parent(sampled: bool) -> Context:
    ctx = SpanContext(trace_id(), rng.getrandbits(64) or 1, is_remote=True,
                      trace_flags=TraceFlags(TraceFlags.SAMPLED if sampled else 0))
    return trace.set_span_in_context(NonRecordingSpan(ctx))


def kept(sampler: Sampler, *, parent: Context | None = None, attributes: dict[str, str] | None = None,
         tid: int | None = None) -> bool:
    result = sampler.should_sample(parent, tid if tid is not None else trace_id(), "span",
                                   attributes=attributes)
    return result.decision is Decision.RECORD_AND_SAMPLE


def recorded(sampler: Sampler) -> tuple[OtelTracing, TracerProvider, InMemorySpanExporter]:
    """A tracing adapter on a provider with `sampler` (stamping as production's does)."""
    exporter = InMemorySpanExporter()
    provider = TracerProvider(sampler=CorrelationIdSampler(sampler))
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    return OtelTracing(tracer_provider=provider), provider, exporter


@pytest.mark.parametrize("name", RATIO_SAMPLERS)
def test_one_journey_gets_one_decision_whatever_trace_or_parent_it_is_in(name: str) -> None:
    sampler = sampler_for(name, 0.5)
    decisions = set()
    for _ in range(200):
        journey = uuid.uuid4().hex
        seen = {kept(sampler, parent=parent, attributes={JOURNEY_KEY: journey})
                for parent in (None, remote_parent(True), remote_parent(False)) for _ in range(5)}
        with correlation_scope(journey):  # the checkout request itself: its bound id
            seen |= {kept(sampler, parent=remote_parent(s)) for s in (True, False)}
        assert len(seen) == 1, journey
        decisions |= seen
    assert decisions == {True, False}  # and both happen, at this ratio


@pytest.mark.parametrize("name", RATIO_SAMPLERS)
@pytest.mark.parametrize("ratio", [0.1, 0.25, 0.5, 0.9])
def test_the_ratio_counts_journeys(name: str, ratio: float) -> None:
    sampler = sampler_for(name, ratio)
    n = 20_000
    share = sum(kept(sampler, attributes={JOURNEY_KEY: uuid.uuid4().hex})
                for _ in range(n)) / n
    assert abs(share - ratio) < 0.02  # about seven standard deviations at n=20000


@pytest.mark.parametrize("name", [*RATIO_SAMPLERS, "always_on", "parentbased_always_on"])
def test_a_ratio_of_one_keeps_everything_and_of_zero_nothing(name: str) -> None:
    every = sampler_for(name, 1.0)
    none = sampler_for(name, 0.0) if name in RATIO_SAMPLERS else sampler_for("always_off", 1.0)
    for _ in range(200):
        attributes = {JOURNEY_KEY: uuid.uuid4().hex}
        assert kept(every, attributes=attributes)
        assert not kept(none, attributes=attributes)


def test_always_off_records_nothing_even_under_a_sampled_parent() -> None:
    tracing, _, exporter = recorded(sampler_for("always_off", 1.0))
    with (trace.use_span(NonRecordingSpan(trace.get_current_span(remote_parent(True))
                                          .get_span_context())),
          correlation_scope("c1"), tracing.span("command", {}),
          tracing.linked_span("stripe event", None, {JOURNEY_KEY: "c0"})):
        pass
    assert exporter.get_finished_spans() == ()


@pytest.mark.parametrize("name", RATIO_SAMPLERS)
def test_spans_without_any_id_fall_back_to_the_trace_id_ratio(name: str) -> None:
    sampler, by_trace = sampler_for(name, 0.3), TraceIdRatioBased(0.3)
    n, kept_count = 5000, 0
    for _ in range(n):
        tid = trace_id()
        decision = kept(sampler, tid=tid)
        assert decision == (by_trace.should_sample(None, tid, "s").decision.is_sampled())
        kept_count += decision
    assert abs(kept_count / n - 0.3) < 0.03


def test_parent_based_follows_the_parent_when_no_id_says_otherwise() -> None:
    # Ratios of 0 and 1, so following the parent is the only way to get the other answer.
    assert kept(JourneySampler(0.0, parent_based=True), parent=remote_parent(True))
    assert not kept(JourneySampler(1.0, parent_based=True), parent=remote_parent(False))
    # Without parent-based, a span without an id goes by its trace id whatever the parent did.
    assert not kept(JourneySampler(0.0, parent_based=False), parent=remote_parent(True))
    assert kept(JourneySampler(1.0, parent_based=False), parent=remote_parent(False))


def test_the_journey_is_the_named_one_first_then_the_scope_then_the_correlation_id() -> None:
    sampler = JourneySampler(0.5, parent_based=True)
    ids = [uuid.uuid4().hex for _ in range(400)]
    kept_ids = [i for i in ids if kept(sampler, attributes={JOURNEY_KEY: i})]
    dropped_ids = [i for i in ids if i not in kept_ids]
    keep, drop = kept_ids[0], dropped_ids[0]
    with correlation_scope(drop):
        assert not kept(sampler)
        assert kept(sampler, attributes={JOURNEY_KEY: keep})
        assert kept(sampler, attributes={CORRELATION_KEY: keep})
        with journey_scope(keep):
            # Inside a journey, a span's own correlation id (the webhook's) does not count.
            assert kept(sampler, attributes={CORRELATION_KEY: drop})
            assert not kept(sampler, attributes={JOURNEY_KEY: drop})


@pytest.mark.parametrize("name", RATIO_SAMPLERS)
def test_a_booking_is_kept_whole_across_the_checkout_and_the_webhook_traces(name: str) -> None:
    tracing, provider, exporter = recorded(sampler_for(name, 0.5))
    outgoing = provider.get_tracer("httpx-like")  # a span our code did not create itself
    journeys = [f"checkout-{i}" for i in range(120)]
    for journey in journeys:
        with correlation_scope(journey), tracing.span("command CreateCheckout", {}):
            traceparent = tracing.current_traceparent()
            with outgoing.start_as_current_span("POST stripe"):
                pass
        webhook = f"webhook-{uuid.uuid4().hex}"  # Stripe's delivery: another request, trace
        with (correlation_scope(webhook), tracing.journey(journey),
              tracing.linked_span("stripe event", traceparent, {CORRELATION_KEY: webhook}),
              tracing.span("command CompleteBooking", {CORRELATION_KEY: webhook}),
              outgoing.start_as_current_span("POST refund")):
            pass
    # A span belongs to the journey it names, else to its parent's.
    spans = exporter.get_finished_spans()
    parents = {s.context.span_id: s for s in spans if s.context is not None}

    def journey_of(span: ReadableSpan | None) -> str:
        while span is not None:
            attributes = span.attributes or {}
            if attributes.get(JOURNEY_KEY):
                return str(attributes[JOURNEY_KEY])
            if str(attributes.get(CORRELATION_KEY, "")).startswith("checkout-"):
                return str(attributes[CORRELATION_KEY])
            span = parents.get(span.parent.span_id) if span.parent else None
        return "a span whose parent was dropped"

    names: dict[str, set[str]] = {}
    for span in spans:
        names.setdefault(journey_of(span), set()).add(span.name)
    whole = {"command CreateCheckout", "POST stripe", "stripe event", "command CompleteBooking",
             "POST refund"}
    assert all(found == whole for found in names.values()), names
    assert 30 < len(names) < 90  # about half of the 120 journeys, each whole or absent


def test_kept_spans_start_with_the_correlation_id_and_an_explicit_one_wins() -> None:
    tracing, _, exporter = recorded(sampler_for("always_on", 1.0))
    with correlation_scope("request-1"):
        with tracing.span("bound", {}):
            pass
        with tracing.span("explicit", {CORRELATION_KEY: "other"}):
            pass
    with tracing.span("unbound", {}):
        pass
    attributes = {s.name: dict(s.attributes or {}) for s in exporter.get_finished_spans()}
    assert attributes["bound"] == {CORRELATION_KEY: "request-1"}
    assert attributes["explicit"] == {CORRELATION_KEY: "other"}
    assert attributes["unbound"] == {}


def test_every_standard_sampler_name_is_understood_and_no_other() -> None:
    for name in SAMPLER_NAMES:
        assert sampler_for(name, 0.5).get_description()
    with pytest.raises(ValueError, match="jaeger_remote"):
        sampler_for("jaeger_remote", 0.5)
    with pytest.raises(ValueError):
        JourneySampler(1.5, parent_based=False)
