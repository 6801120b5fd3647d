"""A local OTLP/HTTP trace receiver: it takes what the service exports, as a collector would,
and keeps every span, decoded, for a test to read."""

from __future__ import annotations

import gzip
import threading
from dataclasses import dataclass
from typing import Any

from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import (
    ExportTraceServiceRequest,
    ExportTraceServiceResponse,
)
from opentelemetry.proto.common.v1.common_pb2 import AnyValue
from opentelemetry.proto.trace.v1.trace_pb2 import Span

from tests.fakes.local_server import request_of


@dataclass(frozen=True)
class ReceivedSpan:
    name: str
    kind: str
    trace_id: str
    span_id: str
    parent_id: str  # "" for a root span
    links: tuple[str, ...]  # the trace ids linked to
    attributes: dict[str, str]
    status: str


class OtlpReceiver:
    """ASGI: `POST /v1/traces` (protobuf, gzip or not) answers 200 and keeps the spans."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._spans: list[ReceivedSpan] = []

    @property
    def spans(self) -> list[ReceivedSpan]:
        with self._lock:
            return list(self._spans)

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        body, headers = await request_of(scope, receive)
        if scope["method"] != "POST" or scope["path"] != "/v1/traces":
            await _answer(send, 404, b"", b"text/plain")
            return
        if headers.get("content-encoding") == "gzip":
            body = gzip.decompress(body)
        request = ExportTraceServiceRequest.FromString(body)
        received = [_decoded(span) for resource in request.resource_spans
                    for scoped in resource.scope_spans for span in scoped.spans]
        with self._lock:
            self._spans.extend(received)
        await _answer(send, 200, ExportTraceServiceResponse().SerializeToString(),
                      b"application/x-protobuf")


def _decoded(span: Span) -> ReceivedSpan:
    return ReceivedSpan(
        name=span.name, kind=Span.SpanKind.Name(span.kind).removeprefix("SPAN_KIND_"),
        trace_id=span.trace_id.hex(), span_id=span.span_id.hex(),
        parent_id=span.parent_span_id.hex(),
        links=tuple(link.trace_id.hex() for link in span.links),
        attributes={a.key: _text(a.value) for a in span.attributes},
        status=span.status.StatusCode.Name(span.status.code).removeprefix("STATUS_CODE_"),
    )


def _text(value: AnyValue) -> str:
    kind = value.WhichOneof("value")
    return str(getattr(value, kind)) if kind else ""


async def _answer(send: Any, status: int, body: bytes, content_type: bytes) -> None:
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", content_type)]})
    await send({"type": "http.response.body", "body": body})
