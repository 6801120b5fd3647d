"""The Tracing port on OpenTelemetry, and the process-wide tracer provider setup."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager

from opentelemetry import trace
from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
from opentelemetry.instrumentation.asyncpg import AsyncPGInstrumentor
from opentelemetry.instrumentation.httpx import HTTPXClientInstrumentor
from opentelemetry.sdk.resources import SERVICE_NAME, Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor
from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator

from adapters.telemetry.correlation import CORRELATION_KEY, correlation_scope, get_correlation_id
from adapters.telemetry.span_processor import CorrelationIdSpanProcessor

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
        cid = attributes.get(CORRELATION_KEY, "")
        with ExitStack() as stack:
            # Work outside a request (the outbox relay, the reconciler) has no bound id: bind
            # the one the command or event carries, so its log lines and child spans get it.
            if cid and cid != get_correlation_id():
                stack.enter_context(correlation_scope(cid))
            stack.enter_context(self._tracer.start_as_current_span(name, attributes=attributes))
            yield

    def current_traceparent(self) -> str | None:
        carrier: dict[str, str] = {}
        _W3C.inject(carrier)
        return carrier.get("traceparent")

    @contextmanager
    def linked_span(
        self,
        name: str,
        traceparent: str | None,
        attributes: dict[str, str],
    ) -> Iterator[None]:
        links: list[trace.Link] = []
        if traceparent:
            # extract() into a fresh context: it must not disturb the current one, the new span
            # stays a child of the current (webhook) span and only *links* to the checkout.
            origin = trace.get_current_span(_W3C.extract({"traceparent": traceparent}))
            origin_ctx = origin.get_span_context()
            if origin_ctx.is_valid:
                links.append(trace.Link(origin_ctx))
        with self._tracer.start_as_current_span(name, attributes=attributes, links=links):
            yield


_setup_lock = threading.Lock()
_provider: TracerProvider | None = None


def setup_tracing(service_name: str, otlp_endpoint: str | None) -> TracerProvider:
    """Build, register globally and instrument, once per process; later calls return the
    first provider (OTel refuses to replace a global provider, and tests build many apps)."""
    global _provider
    with _setup_lock:
        if _provider is not None:
            return _provider
        provider = TracerProvider(resource=Resource.create({SERVICE_NAME: service_name}))
        provider.add_span_processor(CorrelationIdSpanProcessor())
        if otlp_endpoint:
            exporter = OTLPSpanExporter(endpoint=_traces_url(otlp_endpoint))
            provider.add_span_processor(BatchSpanProcessor(exporter))
        trace.set_tracer_provider(provider)
        # Instrumentors are singletons; checking first avoids their "already instrumented"
        # warning if something else instrumented them before us.
        # (The asyncpg instrumentation ships without type hints, hence the ignore.)
        asyncpg = AsyncPGInstrumentor()  # type: ignore[no-untyped-call]
        httpx = HTTPXClientInstrumentor()
        if not asyncpg.is_instrumented_by_opentelemetry:
            asyncpg.instrument(tracer_provider=provider)
        if not httpx.is_instrumented_by_opentelemetry:
            httpx.instrument(tracer_provider=provider)
        _provider = provider
        return provider


def _traces_url(endpoint: str) -> str:
    # An explicit `endpoint=` is used verbatim by the exporter (no signal path appended, unlike
    # OTEL_EXPORTER_OTLP_ENDPOINT), so a base URL like http://collector:4318 needs /v1/traces.
    base = endpoint.rstrip("/")
    return base if base.endswith("/v1/traces") else f"{base}/v1/traces"
