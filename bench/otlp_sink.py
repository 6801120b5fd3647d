"""An OTLP/HTTP trace sink: it takes what the service exports and counts the spans.

`POST /v1/traces` with a protobuf `ExportTraceServiceRequest` (gzip or not) answers 200 as a
collector does; `GET /count` says how many spans of each name arrived, and when the last
export did. It runs as a process of
its own, so decoding the exports costs neither the service nor the load generator.

Run: `python -m bench.otlp_sink PORT`.
"""

from __future__ import annotations

import asyncio
import gzip
import json
import sys
import time
from collections import Counter
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

import aiohttp
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import (
    ExportTraceServiceRequest,
    ExportTraceServiceResponse,
)

from bench.children import PYTHON, Child, Children, free_port, wait_ready
from tests.fakes.local_server import request_of

Scope = dict[str, Any]
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]

# How often the service's batch span processor exports what it holds: the bench sets
# OTEL_BSP_SCHEDULE_DELAY to this rather than the SDK's 5 s, so the spans of a phase are all
# in a second after it, not five. (Under load, batches leave when 512 spans are queued.)
EXPORT_DELAY_MS = 1000
# No export for longer than that after the work ended: nothing is still queued.
QUIET_SECONDS = EXPORT_DELAY_MS / 1000 + 0.5


class SpanCounter:
    def __init__(self) -> None:
        self.names: Counter[str] = Counter()
        self.last_export_at = 0.0  # wall clock: the bench compares it with its own

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return
        body, headers = await request_of(scope, receive)
        if scope["method"] == "POST" and scope["path"] == "/v1/traces":
            if headers.get("content-encoding") == "gzip":
                body = gzip.decompress(body)
            request = ExportTraceServiceRequest.FromString(body)
            self.names.update(span.name for resource in request.resource_spans
                              for scoped in resource.scope_spans for span in scoped.spans)
            self.last_export_at = time.time()
            reply, content_type = ExportTraceServiceResponse().SerializeToString(), b"application/x-protobuf"
        else:
            reply = json.dumps({"names": self.names,
                                "lastExportAt": self.last_export_at}).encode()
            content_type = b"application/json"
        await send({"type": "http.response.start", "status": 200,
                    "headers": [(b"content-type", content_type)]})
        await send({"type": "http.response.body", "body": reply})


class OtlpSink:
    """The running sink, as the bench sees it."""

    def __init__(self, children: Children) -> None:
        self._children = children
        self.port = free_port()
        self.endpoint = f"http://127.0.0.1:{self.port}"
        self._child: Child | None = None

    async def start(self) -> None:
        self._child = self._children.spawn("otlp-sink", [PYTHON, "-m", "bench.otlp_sink", str(self.port)])
        await wait_ready(self._child, f"{self.endpoint}/count")

    async def _count(self) -> tuple[Counter[str], float]:
        async with aiohttp.ClientSession() as http, http.get(f"{self.endpoint}/count") as answer:
            counted = await answer.json()
        return Counter(counted["names"]), float(counted["lastExportAt"])

    async def settled_spans(self, work_ended_at: float) -> Counter[str]:
        """Spans received so far, by name, once those of work that ended at `work_ended_at`
        (time.time()) are all in: no export has arrived for QUIET_SECONDS since then."""
        while True:
            names, last_export_at = await self._count()
            quiet_since = max(last_export_at, work_ended_at)
            if time.time() - quiet_since >= QUIET_SECONDS:
                return names
            await asyncio.sleep(0.25)


def main() -> None:
    import uvicorn

    uvicorn.run(SpanCounter(), host="127.0.0.1", port=int(sys.argv[1]), log_level="warning",
                lifespan="off", access_log=False)


if __name__ == "__main__":
    main()
