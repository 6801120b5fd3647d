"""Logs and traces as the settings ask for them, the same for `serve` and the command-line
jobs: a booking replayed or reconciled from the command line is followed like any other."""

from __future__ import annotations

from adapters.telemetry.log_format import configure_logging
from adapters.telemetry.otel_tracing import setup_tracing
from entrypoints.settings import Settings


def start_telemetry(settings: Settings) -> None:
    """Log lines in LOG_FORMAT to stderr; spans exported when OTEL_EXPORTER_OTLP_ENDPOINT is
    set (what a job leaves queued is flushed when the process exits, by the SDK's exit
    hook)."""
    configure_logging(settings.log_level, settings.effective_log_format)
    setup_tracing(settings.otel_service_name, settings.otel_exporter_otlp_endpoint,
                  settings.otel_traces_sampler, settings.otel_traces_sampler_arg)
