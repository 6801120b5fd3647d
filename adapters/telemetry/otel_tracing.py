"""The Tracing port on OpenTelemetry, and the process-wide tracer provider setup."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager

from opentelemetry import trace
from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
from opentelemetry.instrumentation.httpx import HTTPXClientInstrumentor
from opentelemetry.sdk.resources import SERVICE_NAME, Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor
from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator

from adapters.telemetry.correlation import (
    CORRELATION_KEY,
    JOURNEY_KEY,
    correlation_scope,
    get_correlation_id,
    journey_scope,
)
from adapters.telemetry.journey_sampler import sampler_for
from adapters.telemetry.server_span_middleware import current_request_span
from adapters.telemetry.span_processor import CorrelationIdSampler

TRACER_NAME = "elope"
# W3C explicitly rather than the global propagator: the value is stored in Stripe metadata and
# read back later, so its format must not depend on OTEL_PROPAGATORS.
_W3C = TraceContextTextMapPropagator()


class OtelTracing:
    """Without an SDK provider the OTel API is a no-op: spans cost nothing, no traceparent."""

    def __init__(self, tracer_provider: trace.TracerProvider | None = None) -> None:
        # None -> the global (proxy) provider, which follows a later setup_tracing() call.
        self._tracer = trace.get_tracer(TRACER_NAME, tracer_provider=tracer_provider)

    @contextmanager
    def span(self, name: str, attributes: dict[str, str]) -> Iterator[None]:
        with ExitStack() as stack:
            self._bind_correlation_id(stack, attributes)
            stack.enter_context(self._tracer.start_as_current_span(name, attributes=attributes))
            yield

    @contextmanager
    def linked_span(
        self,
        name: str,
        traceparent: str | None,
        attributes: dict[str, str],
    ) -> Iterator[None]:
        links: list[trace.Link] = []
        origin = _span_context(traceparent)
        if origin is not None:
            # A link, not a parent: the new span stays in the current trace (the webhook's,
            # the relay's) and only points back at the work that caused it.
            links.append(trace.Link(origin))
        with ExitStack() as stack:
            self._bind_correlation_id(stack, attributes)
            stack.enter_context(
                self._tracer.start_as_current_span(name, attributes=attributes, links=links))
            yield

    @contextmanager
    def journey(self, journey_id: str) -> Iterator[None]:
        if not journey_id:
            yield
            return
        # The spans already open when the journey becomes known (the request's, the
        # command's) are stamped here; the sampler stamps every span started inside.
        for span in (trace.get_current_span(), current_request_span()):
            if span is not None and span.is_recording():
                span.set_attribute(JOURNEY_KEY, journey_id)
        with journey_scope(journey_id):
            yield

    def annotate(self, attributes: dict[str, str]) -> None:
        span = trace.get_current_span()
        if span.is_recording():
            span.set_attributes(attributes)

    def current_traceparent(self) -> str | None:
        carrier: dict[str, str] = {}
        _W3C.inject(carrier)
        return carrier.get("traceparent")

    def current_trace_id(self) -> str:
        context = trace.get_current_span().get_span_context()
        return trace.format_trace_id(context.trace_id) if context.is_valid else ""

    @staticmethod
    def _bind_correlation_id(stack: ExitStack, attributes: dict[str, str]) -> None:
        cid = attributes.get(CORRELATION_KEY, "")
        # Work outside a request (the outbox relay, the reconciler) has no bound id: bind
        # the one the command or event carries, so its log lines and child spans get it.
        if cid and cid != get_correlation_id():
            stack.enter_context(correlation_scope(cid))


def _span_context(traceparent: object) -> trace.SpanContext | None:
    # It comes from a webhook's metadata: anything but a string names no span (a signed event
    # with a number there must not fail its delivery).
    if not isinstance(traceparent, str) or not traceparent:
        return None
    # extract() into a fresh context: the current one must not be disturbed.
    origin = trace.get_current_span(_W3C.extract({"traceparent": traceparent}))
    context = origin.get_span_context()
    return context if context.is_valid else None


_setup_lock = threading.Lock()
_setup_done = False
_provider: TracerProvider | None = None


def setup_tracing(
    service_name: str,
    otlp_endpoint: str | None,
    sampler: str = "parentbased_always_on",
    sampler_arg: float = 1.0,
) -> TracerProvider | None:
    """Install the exporting provider, once per process; later calls return the first
    result (OTel refuses to replace a global provider, and tests build many apps).

    With nothing to export to (no endpoint, or a sampler that keeps nothing) nothing is
    installed and None is returned: the OTel API stays a no-op, so a request pays for no
    spans, no instrumentation and no traceparent."""
    global _setup_done, _provider
    with _setup_lock:
        if _setup_done:
            return _provider
        _setup_done = True
        if not otlp_endpoint or _keeps_nothing(sampler, sampler_arg):
            return None
        provider = TracerProvider(
            resource=Resource.create({SERVICE_NAME: service_name}),
            sampler=CorrelationIdSampler(sampler_for(sampler, sampler_arg)),
        )
        provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter(
            endpoint=_traces_url(otlp_endpoint))))
        trace.set_tracer_provider(provider)
        # Outgoing calls to Stripe, Postmark and Google only; database statements get no span
        # each (a booking runs dozens): the command and subscriber spans time them together.
        # The instrumentor is a singleton; checking first avoids its "already instrumented"
        # warning if something else instrumented it before us.
        httpx = HTTPXClientInstrumentor()
        if not httpx.is_instrumented_by_opentelemetry:
            httpx.instrument(tracer_provider=provider)
        _provider = provider
        return provider


def flush_spans(timeout_seconds: float = 5.0) -> None:
    """Export the spans still queued. `serve` needs it at shutdown: uvicorn ends a SIGTERM'd
    process by raising the signal again, and a process ended by a signal runs no exit hooks,
    so the SDK's own flush at exit never happens there."""
    if _provider is not None:
        _provider.force_flush(int(timeout_seconds * 1000))


def _keeps_nothing(sampler: str, ratio: float) -> bool:
    # The parent-based samplers may still keep a span whose caller's trace is sampled.
    return sampler == "always_off" or (sampler == "traceidratio" and ratio == 0.0)


def tracing_installed() -> bool:
    """Whether spans can be recorded at all: a global SDK provider is installed (by
    `setup_tracing`, or by whoever embeds the app). Otherwise instrumenting is pure cost."""
    return isinstance(trace.get_tracer_provider(), TracerProvider)


def _traces_url(endpoint: str) -> str:
    # An explicit `endpoint=` is used verbatim by the exporter (no signal path appended, unlike
    # OTEL_EXPORTER_OTLP_ENDPOINT), so a base URL like http://collector:4318 needs /v1/traces.
    base = endpoint.rstrip("/")
    return base if base.endswith("/v1/traces") else f"{base}/v1/traces"
