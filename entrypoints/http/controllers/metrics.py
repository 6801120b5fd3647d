from __future__ import annotations

from litestar import Controller, Response, get
from litestar.di import NamedDependency

from adapters.telemetry.prometheus_metrics import PrometheusMetrics

# What prometheus_client renders, as the document states it (the handler sets the header).
EXPOSITION = "text/plain; version=0.0.4"


class MetricsController(Controller):
    path = "/metrics"
    tags = ["operations"]

    @get("/", operation_id="metrics", summary="Prometheus exposition", include_in_schema=True,
         media_type=EXPOSITION, response_description="Prometheus text exposition format 0.0.4")
    async def scrape(self, metrics: NamedDependency[PrometheusMetrics]) -> Response[bytes]:
        # The outbox gauges are read here, per scrape: always current, one indexed query
        # per scrape (not per request), and no background loop needed for them to move.
        await metrics.refresh()
        body, content_type = metrics.render()
        return Response(body, media_type=_without_charset(content_type))


def _without_charset(content_type: str) -> str:
    """Litestar appends `; charset=utf-8` to every text/* media type itself; a second one
    from prometheus_client would make the header ambiguous to strict parsers."""
    return "; ".join(part for part in (p.strip() for p in content_type.split(";"))
                     if not part.lower().startswith("charset="))
