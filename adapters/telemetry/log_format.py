"""The process's log lines: JSON lines for a log shipper, or readable lines for a terminal.

Either way one record is one line, whatever a client put in it: JSON escapes control
characters by itself; the console format escapes them (and indents tracebacks), so a newline
in an email, path or event id can never start a line that looks like one of ours.
"""

from __future__ import annotations

import logging
from typing import Any, Literal, TextIO

from pythonjsonlogger.core import RESERVED_ATTRS
from pythonjsonlogger.json import JsonFormatter

from adapters.telemetry.log_context import (
    CONTEXT_FIELDS,
    CORRELATION_FIELD,
    JOURNEY_FIELD,
    SPAN_FIELD,
    TRACE_FIELD,
    LogContextFilter,
)

LogFormat = Literal["json", "console"]

HANDLER_NAME = "elope-correlation"
"""Our one handler on the root logger, found again by name when logging is configured twice."""

_NOT_FIELDS = frozenset({*RESERVED_ATTRS, "taskName", "color_message"})
"""LogRecord's own attributes, and uvicorn's `color_message` (its message again, with terminal
colour codes); anything else on a record came from `extra=` or the filter."""

# Every C0 control, DEL, the C1 range and the Unicode line/paragraph separators (which some
# viewers break lines on) become visible escapes. The common ones read as in Python source.
_ESCAPES: dict[int, str] = {
    code: f"\\x{code:02x}" for code in (*range(0x20), *range(0x7F, 0xA0))
}
_ESCAPES.update({ord("\n"): "\\n", ord("\r"): "\\r", ord("\t"): "\\t",
                 0x2028: "\\u2028", 0x2029: "\\u2029"})


def escape_controls(text: str) -> str:
    """`text` with no character that could end a line or steer a terminal."""
    return text.translate(_ESCAPES)


class JsonLineFormatter(JsonFormatter):
    """`{"timestamp", "level", "logger", "message", ...extra fields, ...ids}` on one line.
    The ids (`trace_id`, `span_id`, `correlation_id`, `booking.correlation_id`) appear only
    where known, so a search for a field finds only lines that have it."""

    def __init__(self) -> None:
        super().__init__(
            "%(levelname)s %(name)s %(message)s",
            rename_fields={"levelname": "level", "name": "logger"},
            timestamp=True,
            reserved_attrs=sorted(_NOT_FIELDS),
            # ASCII-only output: U+2028 and friends leave escaped too, not raw.
            json_ensure_ascii=True,
        )

    def process_log_record(self, log_data: dict[str, Any]) -> dict[str, Any]:
        # The time and level first, as a person scanning raw lines expects.
        ordered = {key: log_data.pop(key) for key in ("timestamp", "level", "logger", "message")}
        for field in CONTEXT_FIELDS:
            if not log_data.get(field):
                log_data.pop(field, None)
        return {**ordered, **log_data}


class ConsoleFormatter(logging.Formatter):
    """`time LEVEL logger [correlation id] message key=value ...` for a developer's terminal.
    Tracebacks follow on indented lines: a line that starts at column 0 is always a record."""

    def format(self, record: logging.LogRecord) -> str:
        record.message = record.getMessage()
        correlation = getattr(record, CORRELATION_FIELD, "") or "-"
        line = (f"{self.formatTime(record)} {record.levelname} {record.name}"
                f" [{escape_controls(str(correlation))}] {escape_controls(record.message)}")
        fields = " ".join(f"{key}={_value(value)}" for key, value in _extra_fields(record))
        if fields:
            line = f"{line} {fields}"
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            line += _indented(record.exc_text)
        if record.stack_info:
            line += _indented(self.formatStack(record.stack_info))
        return line


def _indented(block: str) -> str:
    # splitlines() breaks on every line boundary a viewer might honour, not only "\n".
    return "".join(f"\n    {escape_controls(part)}" for part in block.splitlines())


def _extra_fields(record: logging.LogRecord) -> list[tuple[str, object]]:
    """What the caller passed in `extra=`, then the ids other than the correlation id (that
    one is in brackets), each only when it has a value."""
    ids = (JOURNEY_FIELD, TRACE_FIELD, SPAN_FIELD)
    extra = [(key, value) for key, value in record.__dict__.items()
             if key not in _NOT_FIELDS and key not in CONTEXT_FIELDS and not key.startswith("_")]
    known = [(key, getattr(record, key, "")) for key in ids]
    return [(key, value) for key, value in (*extra, *known) if value not in ("", None)]


def _value(value: object) -> str:
    text = str(value)
    if text and not any(c in text for c in ' "=\\'):
        return escape_controls(text)
    quoted = text.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escape_controls(quoted)}"'


def formatter_for(log_format: LogFormat) -> logging.Formatter:
    return JsonLineFormatter() if log_format == "json" else ConsoleFormatter()


def configure_logging(level: str, log_format: LogFormat, stream: TextIO | None = None) -> None:
    """One handler on the root logger, writing `log_format` lines to `stream` (stderr by
    default). Calling again keeps that handler and applies the new level, format and stream:
    app factories run several times in one test process."""
    root = logging.getLogger()
    root.setLevel(level.upper())
    # The stripe library logs every API error at INFO with Stripe's own message and the URL;
    # the adapter logs what is safe to keep (class, status, request id) itself.
    logging.getLogger("stripe").setLevel(logging.WARNING)
    # Piccolo says "Running Postgres version N" at INFO each time a pool starts: a line per
    # command-line job that tells an operator nothing (`elope doctor` reports the server).
    logging.getLogger("piccolo").setLevel(logging.WARNING)
    handler = next((h for h in root.handlers if h.get_name() == HANDLER_NAME), None)
    if not isinstance(handler, logging.StreamHandler):
        handler = logging.StreamHandler(stream)
        handler.set_name(HANDLER_NAME)
        handler.addFilter(LogContextFilter())
        root.addHandler(handler)
    elif stream is not None:
        handler.setStream(stream)
    handler.setFormatter(formatter_for(log_format))
