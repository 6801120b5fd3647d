"""Tracing as the settings ask for it, the same for `serve` and the command-line jobs."""

from __future__ import annotations

from adapters.telemetry.otel_tracing import setup_tracing
from entrypoints.settings import Settings


def start_tracing(settings: Settings) -> None:
    """Export spans when OTEL_EXPORTER_OTLP_ENDPOINT is set; the spans a job leaves are
    flushed when the process exits (the SDK provider's exit hook)."""
    setup_tracing(settings.otel_service_name, settings.otel_exporter_otlp_endpoint,
                  settings.otel_traces_sampler, settings.otel_traces_sampler_arg)
