"""SPEC §7's log lines: JSON lines (real preset) or readable lines (mock preset), each with
the ids of the work it was written in, one record per line whatever a client sent."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from opentelemetry import trace
from opentelemetry.sdk.trace import TracerProvider

from adapters.telemetry.correlation import correlation_scope, journey_scope
from application.redaction import mask_email
from entrypoints.settings import SettingsError, load_settings
from tests.log_lines import captured_log_lines

ROOT = Path(__file__).resolve().parents[2]
REAL = {"adapters_preset": "real", "database_url": "postgresql://db/elope",
        "jwt_secret": "j" * 40, "stripe_secret_key": "sk_test_x", "stripe_webhook_secret": "whsec_x"}
log = logging.getLogger("elope.test")


def test_a_json_line_inside_a_span_carries_its_trace_span_correlation_and_journey_ids() -> None:
    tracer = TracerProvider().get_tracer("test")  # our own provider: the global is set once
    with captured_log_lines("json") as logs, correlation_scope("req-42"), \
            journey_scope("checkout-7"), tracer.start_as_current_span("work") as span:
        log.info("hold placed for %s", "2027-05-01", extra={"session_id": "cs_1"})
    context = span.get_span_context()
    [line] = logs.records()
    assert line == {
        "timestamp": line["timestamp"], "level": "INFO", "logger": "elope.test",
        "message": "hold placed for 2027-05-01", "session_id": "cs_1",
        "correlation_id": "req-42", "booking.correlation_id": "checkout-7",
        "trace_id": trace.format_trace_id(context.trace_id),
        "span_id": trace.format_span_id(context.span_id),
    }
    assert line["timestamp"].endswith("+00:00")


def test_a_json_line_leaves_out_the_ids_it_does_not_know() -> None:
    with captured_log_lines("json") as logs:
        log.warning("outside any request")
    [line] = logs.records()
    assert not {"correlation_id", "booking.correlation_id", "trace_id", "span_id"} & set(line)


def test_an_id_passed_by_the_caller_wins_over_the_ambient_one() -> None:
    with captured_log_lines("json") as logs, correlation_scope("relay"):
        log.info("for another request", extra={"correlation_id": "req-1"})
    assert logs.records()[0]["correlation_id"] == "req-1"


def test_the_console_format_is_one_readable_line_with_the_ids() -> None:
    tracer = TracerProvider().get_tracer("test")
    with captured_log_lines("console") as logs, correlation_scope("req-42"), \
            journey_scope("checkout-7"), tracer.start_as_current_span("work") as span:
        log.info("hold placed", extra={"session_id": "cs_1", "note": "two words"})
    [line] = logs.lines()
    context = span.get_span_context()
    assert line.endswith(
        'INFO elope.test [req-42] hold placed session_id=cs_1 note="two words"'
        f" booking.correlation_id=checkout-7 trace_id={trace.format_trace_id(context.trace_id)}"
        f" span_id={trace.format_span_id(context.span_id)}")
    with pytest.raises(json.JSONDecodeError):
        json.loads(line)


@pytest.mark.parametrize("log_format", ["json", "console"])
def test_uvicorns_coloured_copy_of_its_message_stays_out_of_the_line(log_format: str) -> None:
    with captured_log_lines(log_format) as logs:  # type: ignore[arg-type]
        # As uvicorn logs (on our logger: other tests leave uvicorn's own not propagating).
        log.info(
            "Started server process [%d]", 7, extra={"color_message": "Started [\x1b[36m%d\x1b[0m]"})
    [line] = logs.lines()
    assert "Started server process [7]" in line
    assert "color_message" not in line and "36m" not in line


FORGED = "ada@example.com\n2026-01-01 00:00:00,000 INFO elope.admin [x] admin logged in"
SNEAKY = ["\n", "\r", "\r\n", "\u2028", "\x85", "\x1b[2K"]


@pytest.mark.parametrize("log_format", ["json", "console"])
@pytest.mark.parametrize("breaker", SNEAKY)
def test_a_line_break_in_a_logged_value_cannot_start_a_second_line(
    log_format: str, breaker: str,
) -> None:
    forged = FORGED.replace("\n", breaker)
    with captured_log_lines(log_format) as logs:  # type: ignore[arg-type]
        log.info("login refused for %s", forged, extra={"email": forged})
    [line] = logs.lines()
    assert breaker not in line and "\x1b" not in line
    if log_format == "json":  # and the value arrives intact for whoever reads the JSON
        record = json.loads(line)
        assert record["email"] == forged and record["message"] == f"login refused for {forged}"


def test_a_console_traceback_is_indented_under_its_line_even_with_a_forged_message() -> None:
    with captured_log_lines("console") as logs:
        try:
            raise ValueError("bad id\n2026-01-01 00:00:00,000 INFO elope.admin [x] forged")
        except ValueError:
            log.exception("processing failed")
    first, *rest = logs.lines()
    assert first.endswith("ERROR elope.test [-] processing failed")
    assert rest and all(line.startswith("    ") for line in rest)
    assert rest[-1].strip() == "2026-01-01 00:00:00,000 INFO elope.admin [x] forged"


def test_the_log_format_follows_the_preset_unless_log_format_says_otherwise() -> None:
    assert load_settings(adapters_preset="mock").effective_log_format == "console"
    assert load_settings(**REAL).effective_log_format == "json"
    assert load_settings(**REAL, log_format="Console").effective_log_format == "console"
    assert load_settings(adapters_preset="mock", log_format="json").effective_log_format == "json"
    with pytest.raises(SettingsError, match=r"^invalid configuration: LOG_FORMAT: .*'json'"):
        load_settings(log_format="xml")


def test_access_log_is_on_unless_turned_off() -> None:
    assert load_settings().access_log is True
    assert load_settings(access_log="off").access_log is False
    with pytest.raises(SettingsError, match=r"^invalid configuration: ACCESS_LOG: "):
        load_settings(access_log="sometimes")


_SERVE = textwrap.dedent("""
    import logging
    from entrypoints.asgi import create_asgi_app
    create_asgi_app()  # as `elope serve` builds each worker's app, from the environment
    logging.getLogger("elope.test").info("started")
""")


@pytest.mark.parametrize(("log_format", "json_lines"), [("", False), ("json", True)])
def test_the_served_app_writes_the_configured_format_to_stderr(
    log_format: str, json_lines: bool, tmp_path: Path,
) -> None:
    env = {**os.environ, "ADAPTERS_PRESET": "mock", "LOG_FORMAT": log_format,
           "MAIL_SINK_DIR": str(tmp_path), "OTEL_EXPORTER_OTLP_ENDPOINT": ""}
    done = subprocess.run([sys.executable, "-c", _SERVE], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=60, check=True)
    [line] = [line for line in done.stderr.splitlines() if "started" in line]
    if json_lines:
        assert json.loads(line)["message"] == "started"
    else:
        assert line.endswith("INFO elope.test [-] started")


def test_an_email_is_masked_to_its_first_letter_and_domain() -> None:
    assert mask_email(" Ada.Lovelace@Example.com ") == "a***@example.com"
    assert mask_email("not-an-email") == "***"
    assert mask_email("@example.com") == "***"
    assert mask_email("a@" + "x" * 200).endswith("x" * 64 + "…")
