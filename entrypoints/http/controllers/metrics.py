from __future__ import annotations

from litestar import Controller, Response, get
from litestar.di import NamedDependency

from adapters.telemetry.prometheus_metrics import PrometheusMetrics


class MetricsController(Controller):
    path = "/metrics"
    tags = ["operations"]

    @get("/", operation_id="metrics", summary="Prometheus exposition", include_in_schema=True)
    async def scrape(self, metrics: NamedDependency[PrometheusMetrics]) -> Response[bytes]:
        body, content_type = metrics.render()
        return Response(body, media_type=content_type)
