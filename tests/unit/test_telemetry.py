"""Telemetry adapters: correlation id on spans/logs/responses, span links, metrics text."""

from __future__ import annotations

import logging
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from opentelemetry import baggage, context, trace
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.sdk.trace.sampling import ALWAYS_ON

from adapters.telemetry.correlation import (
    CORRELATION_KEY,
    bind_correlation_id,
    correlation_scope,
    get_correlation_id,
    reset_correlation_id,
    valid_request_id,
)
from adapters.telemetry.log_format import configure_logging
from adapters.telemetry.otel_tracing import OtelTracing, _traces_url
from adapters.telemetry.prometheus_metrics import PrometheusMetrics
from adapters.telemetry.request_id_middleware import RequestIdMiddleware
from adapters.telemetry.span_processor import CorrelationIdSampler
from entrypoints.env_file import ENV_FILE_VARIABLE

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def exporter() -> InMemorySpanExporter:
    return InMemorySpanExporter()


@pytest.fixture
def provider(exporter: InMemorySpanExporter) -> TracerProvider:
    # A provider of our own, never the global one: that can be set once per process only.
    p = TracerProvider(sampler=CorrelationIdSampler(ALWAYS_ON))
    p.add_span_processor(SimpleSpanProcessor(exporter))
    return p


@pytest.fixture
def tracing(provider: TracerProvider) -> OtelTracing:
    return OtelTracing(tracer_provider=provider)


def _attrs(exporter: InMemorySpanExporter) -> dict[str, Any]:
    return {s.name: dict(s.attributes or {}) for s in exporter.get_finished_spans()}


# --- correlation id ----------------------------------------------------------------------


@pytest.mark.parametrize("value", ["abc", "A-b_c.9", "x" * 128])
def test_valid_request_ids_are_kept(value: str) -> None:
    assert valid_request_id(value) == value


@pytest.mark.parametrize("value", [None, "", "x" * 129, "has space", "new\nline", "é", "a/b"])
def test_invalid_request_ids_are_refused(value: str | None) -> None:
    assert valid_request_id(value) is None


def test_bind_sets_contextvar_and_baggage_and_reset_restores() -> None:
    token = bind_correlation_id("cid-1")
    assert get_correlation_id() == "cid-1"
    assert baggage.get_baggage(CORRELATION_KEY) == "cid-1"
    reset_correlation_id(token)
    assert get_correlation_id() == ""
    assert baggage.get_baggage(CORRELATION_KEY) is None


# --- correlation-id stamping and tracing port -------------------------------------------


def test_correlation_id_is_stamped_on_parent_and_child_spans(
    tracing: OtelTracing,
    provider: TracerProvider,
    exporter: InMemorySpanExporter,
) -> None:
    other = provider.get_tracer("asyncpg-like")  # a span our code did not create itself
    with (
        correlation_scope("cid-42"),
        tracing.span("command", {"k": "v"}),
        other.start_as_current_span("SELECT"),
    ):
        pass
    attrs = _attrs(exporter)
    assert attrs["command"] == {"k": "v", CORRELATION_KEY: "cid-42"}
    assert attrs["SELECT"][CORRELATION_KEY] == "cid-42"


def test_stamping_falls_back_to_baggage_and_keeps_explicit_value(
    tracing: OtelTracing,
    exporter: InMemorySpanExporter,
) -> None:
    token = context.attach(baggage.set_baggage(CORRELATION_KEY, "from-baggage"))
    try:
        with tracing.span("via-baggage", {}):
            pass
    finally:
        context.detach(token)
    with correlation_scope("request-cid"), tracing.span("explicit", {CORRELATION_KEY: "ck"}):
        pass
    attrs = _attrs(exporter)
    assert attrs["via-baggage"][CORRELATION_KEY] == "from-baggage"
    assert attrs["explicit"][CORRELATION_KEY] == "ck"


def test_no_correlation_attribute_when_none_is_bound(
    tracing: OtelTracing,
    exporter: InMemorySpanExporter,
) -> None:
    with tracing.span("bare", {}):
        pass
    assert CORRELATION_KEY not in _attrs(exporter)["bare"]


def test_linked_span_links_to_the_trace_of_an_earlier_traceparent(
    tracing: OtelTracing,
    exporter: InMemorySpanExporter,
) -> None:
    assert tracing.current_traceparent() is None  # no current span
    with tracing.span("checkout", {}):
        traceparent = tracing.current_traceparent()
    assert traceparent is not None and traceparent.startswith("00-")
    checkout = exporter.get_finished_spans()[0]

    with tracing.span("webhook", {}), tracing.linked_span("booking", traceparent, {"a": "b"}):
        pass
    spans = {s.name: s for s in exporter.get_finished_spans()}
    booking, webhook = spans["booking"], spans["webhook"]
    assert len(booking.links) == 1
    link_ctx = booking.links[0].context
    assert checkout.context is not None and webhook.context is not None
    assert link_ctx.trace_id == checkout.context.trace_id
    assert link_ctx.span_id == checkout.context.span_id
    assert traceparent.split("-")[1] == format(link_ctx.trace_id, "032x")
    # Still a child of the current (webhook) trace, not re-parented onto the checkout.
    assert booking.parent is not None and booking.parent.span_id == webhook.context.span_id
    assert booking.context is not None and booking.context.trace_id != checkout.context.trace_id


_ZERO_TRACEPARENT = "00-" + "0" * 32 + "-" + "0" * 16 + "-01"  # well-formed but invalid ids


@pytest.mark.parametrize("traceparent", [None, "", "garbage", _ZERO_TRACEPARENT])
def test_linked_span_without_usable_traceparent_has_no_link(
    tracing: OtelTracing,
    exporter: InMemorySpanExporter,
    traceparent: str | None,
) -> None:
    with tracing.linked_span("booking", traceparent, {}):
        pass
    assert exporter.get_finished_spans()[0].links == ()


def test_span_records_exception_and_reraises(
    tracing: OtelTracing,
    exporter: InMemorySpanExporter,
) -> None:
    with pytest.raises(ValueError), tracing.span("boom", {}):
        raise ValueError("x")
    assert exporter.get_finished_spans()[0].status.status_code == trace.StatusCode.ERROR


def _run_isolated(code: str) -> str:
    # Global tracer provider state is once-per-process: exercise it in a fresh interpreter.
    done = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        cwd=ROOT,
        env={"PYTHONPATH": str(ROOT), ENV_FILE_VARIABLE: ""},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_otel_tracing_is_a_noop_without_an_sdk_provider() -> None:
    out = _run_isolated("""
        from adapters.telemetry.otel_tracing import OtelTracing
        t = OtelTracing()
        with t.span("a", {"k": "v"}):
            tp = t.current_traceparent()
        with t.linked_span("b", tp, {}), t.linked_span("c", "garbage", {}):
            pass
        print(tp)
    """)
    assert out.strip() == "None"


def test_setup_tracing_without_an_endpoint_installs_nothing() -> None:
    # Nothing would be exported: no SDK provider, no instrumentation, the API stays a no-op.
    out = _run_isolated("""
        from opentelemetry import trace
        from opentelemetry.instrumentation.httpx import HTTPXClientInstrumentor
        from opentelemetry.sdk.trace import TracerProvider
        from adapters.telemetry.correlation import correlation_scope
        from adapters.telemetry.otel_tracing import OtelTracing, setup_tracing, tracing_installed
        tracing = OtelTracing()
        assert setup_tracing("elope", None) is None
        assert setup_tracing("elope", "http://127.0.0.1:9") is None  # the first call decided
        assert not isinstance(trace.get_tracer_provider(), TracerProvider)
        assert not tracing_installed()
        assert not HTTPXClientInstrumentor().is_instrumented_by_opentelemetry
        with correlation_scope("c1"), tracing.span("s", {}):
            assert not trace.get_current_span().is_recording()
            print(tracing.current_traceparent())
    """)
    assert out.strip() == "None"


def test_setup_tracing_with_an_endpoint_is_idempotent_and_global() -> None:
    out = _run_isolated("""
        import os, sys
        from opentelemetry import trace
        from opentelemetry.instrumentation.httpx import HTTPXClientInstrumentor
        from adapters.telemetry.correlation import correlation_scope
        from adapters.telemetry.otel_tracing import OtelTracing, setup_tracing, tracing_installed
        tracing = OtelTracing()  # created before setup: the proxy tracer must follow it
        p1 = setup_tracing("elope", "http://127.0.0.1:9")
        p2 = setup_tracing("elope", None)
        assert p1 is not None and p1 is p2 and trace.get_tracer_provider() is p1
        assert tracing_installed()
        assert HTTPXClientInstrumentor().is_instrumented_by_opentelemetry
        # One span per SQL statement would outnumber everything else a booking records.
        assert "opentelemetry.instrumentation.asyncpg" not in sys.modules
        assert p1.resource.attributes["service.name"] == "elope"
        with correlation_scope("c1"), tracing.span("s", {}):
            span = trace.get_current_span()
            assert span.is_recording() and span.attributes["correlation.id"] == "c1"
            print(tracing.current_traceparent())
        sys.stdout.flush()
        os._exit(0)  # skip the exit-time export to an endpoint nobody listens on
    """)
    assert out.startswith("00-")


@pytest.mark.parametrize(
    ("sampler", "arg"),
    [("always_off", 1.0), ("traceidratio", 0.0), ("parentbased_traceidratio", 0.0)],
)
def test_setup_tracing_honours_a_sampler_that_keeps_nothing(sampler: str, arg: float) -> None:
    out = _run_isolated(f"""
        import os, sys
        from opentelemetry import trace
        from adapters.telemetry.correlation import correlation_scope
        from adapters.telemetry.otel_tracing import OtelTracing, setup_tracing
        setup_tracing("elope", "http://127.0.0.1:9", {sampler!r}, {arg!r})
        tracing = OtelTracing()
        with correlation_scope("c1"), tracing.span("s", {{}}):
            print(trace.get_current_span().is_recording())
        sys.stdout.flush()
        os._exit(0)
    """)
    assert out.strip() == "False"


@pytest.mark.parametrize(
    ("endpoint", "url"),
    [
        ("http://c:4318", "http://c:4318/v1/traces"),
        ("http://c:4318/", "http://c:4318/v1/traces"),
        ("http://c:4318/v1/traces", "http://c:4318/v1/traces"),
    ],
)
def test_otlp_endpoint_gets_the_traces_path(endpoint: str, url: str) -> None:
    assert _traces_url(endpoint) == url


# --- request-id middleware ----------------------------------------------------------------


class _Recorder:
    """A raw ASGI app that records what the middleware let it see."""

    def __init__(self, *, fail: bool = False, own_header: bool = False) -> None:
        self.fail, self.own_header = fail, own_header
        self.seen_cid: str | None = None
        self.scope: dict[str, Any] = {}

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        self.scope, self.seen_cid = scope, get_correlation_id()
        logging.getLogger("elope.test").info("inside")
        if self.fail:
            raise RuntimeError("handler blew up")
        headers = [(b"content-type", b"text/plain")]
        if self.own_header:
            headers.append((b"X-Request-ID", b"app-set"))
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": b"ok"})


async def _drive(
    app: Any,
    headers: list[tuple[bytes, bytes]],
    scope_type: str = "http",
) -> list[dict[str, Any]]:
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    scope = {"type": scope_type, "method": "GET", "path": "/", "headers": headers}
    await RequestIdMiddleware(app)(scope, receive, send)
    return sent


def _response_ids(sent: list[dict[str, Any]]) -> list[bytes]:
    start = next(m for m in sent if m["type"] == "http.response.start")
    return [v for k, v in start["headers"] if k.lower() == b"x-request-id"]


async def test_middleware_keeps_a_valid_caller_id() -> None:
    app = _Recorder()
    sent = await _drive(app, [(b"x-request-id", b"caller-123")])
    assert _response_ids(sent) == [b"caller-123"]
    assert app.seen_cid == "caller-123"
    assert app.scope["state"]["request_id"] == "caller-123"
    assert get_correlation_id() == ""  # unbound again after the request


@pytest.mark.parametrize("bad", [b"x" * 200, b"has spaces", b""])
async def test_middleware_replaces_an_invalid_caller_id(bad: bytes) -> None:
    app = _Recorder()
    sent = await _drive(app, [(b"x-request-id", bad)])
    (cid,) = _response_ids(sent)
    assert cid != bad and len(cid) == 32 and int(cid, 16) >= 0
    assert app.seen_cid == cid.decode()


async def test_middleware_generates_an_id_when_absent_and_replaces_the_apps_own() -> None:
    sent = await _drive(_Recorder(own_header=True), [])
    (cid,) = _response_ids(sent)
    assert cid != b"app-set" and len(cid) == 32


async def test_middleware_answers_500_with_the_id_when_the_app_raises() -> None:
    sent: list[dict[str, Any]] = []

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    scope = {"type": "http", "headers": [(b"x-request-id", b"err-1")]}
    with pytest.raises(RuntimeError):
        await RequestIdMiddleware(_Recorder(fail=True))(scope, None, send)
    assert sent[0]["status"] == 500 and _response_ids(sent) == [b"err-1"]


async def test_middleware_passes_other_scopes_through_untouched() -> None:
    app = _Recorder()
    await _drive(app, [(b"x-request-id", b"abc")], scope_type="websocket")
    assert app.seen_cid == "" and "state" not in app.scope


async def test_middleware_stamps_the_current_server_span(
    tracing: OtelTracing,
    exporter: InMemorySpanExporter,
) -> None:
    with tracing.span("GET /", {}):  # stands in for the ASGI instrumentation's server span
        await _drive(_Recorder(), [(b"x-request-id", b"srv-1")])
    assert _attrs(exporter)["GET /"][CORRELATION_KEY] == "srv-1"


# --- logging ------------------------------------------------------------------------------


@pytest.fixture
def clean_root_logger() -> Iterator[logging.Logger]:
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield root
    root.handlers[:] = handlers
    root.setLevel(level)


async def test_log_lines_carry_the_correlation_id(
    clean_root_logger: logging.Logger,
    capsys: pytest.CaptureFixture[str],
) -> None:
    configure_logging("info", "console")
    configure_logging("INFO", "console")  # idempotent: still one handler, no duplicate lines
    ours = [h for h in clean_root_logger.handlers if h.get_name() == "elope-correlation"]
    assert len(ours) == 1 and isinstance(ours[0], logging.StreamHandler)
    ours[0].setStream(sys.stderr)  # the handler bound the pre-capture stderr; point it at capsys
    await _drive(_Recorder(), [(b"x-request-id", b"log-7")])
    logging.getLogger("elope.outside").warning("no request")
    err = capsys.readouterr().err.splitlines()
    assert any("INFO elope.test [log-7] inside" in line for line in err)
    assert any("WARNING elope.outside [-] no request" in line for line in err)


# --- metrics ------------------------------------------------------------------------------


def test_metrics_render_every_series() -> None:
    metrics = PrometheusMetrics()
    metrics.webhook_processed("checkout.session.completed", "booked", 0.05)
    metrics.booking_created(0.02)
    metrics.booking_conflict("hold")
    metrics.lock_timeout()
    metrics.subscriber_failed("send_confirmation")
    metrics.set_pool_reader(lambda: (10, 3))
    body, content_type = metrics.render()
    text = body.decode()
    assert content_type.startswith("text/plain")
    for name in (
        "elope_webhook_processing_seconds_bucket",
        "elope_webhook_outcomes_total",
        "elope_booking_creation_seconds_count",
        "elope_booking_conflicts_total",
        "elope_lock_timeouts_total",
        "elope_subscriber_failures_total",
    ):
        assert name in text
    assert (
        'elope_webhook_outcomes_total{event_type="checkout.session.completed",'
        'outcome="booked"} 1.0' in text
    )
    assert 'elope_booking_conflicts_total{where="hold"} 1.0' in text
    assert "elope_db_pool_size 10.0" in text and "elope_db_pool_in_use 3.0" in text


def test_metrics_instances_do_not_clash_and_pool_defaults_to_zero() -> None:
    first, second = PrometheusMetrics(), PrometheusMetrics()
    first.lock_timeout()
    assert "elope_lock_timeouts_total 1.0" in first.render()[0].decode()
    text = second.render()[0].decode()
    assert "elope_lock_timeouts_total 0.0" in text
    assert "elope_db_pool_size 0.0" in text and "elope_db_pool_in_use 0.0" in text


def test_a_failing_pool_reader_does_not_break_the_scrape() -> None:
    metrics = PrometheusMetrics()

    def broken() -> tuple[int, int]:
        raise RuntimeError("pool closed")

    metrics.set_pool_reader(broken)
    text = metrics.render()[0].decode()
    assert "elope_lock_timeouts_total" in text and "elope_db_pool_size " not in text
