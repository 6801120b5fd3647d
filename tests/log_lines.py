"""The log lines the process writes, as a reader of its stderr sees them: the product's own
handler and formatter (configure_logging), pointed at a buffer instead of stderr."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from adapters.telemetry.log_format import HANDLER_NAME, LogFormat, configure_logging


class LogLines:
    def __init__(self, stream: io.StringIO) -> None:
        self._stream = stream

    def lines(self) -> list[str]:
        """Split as a log shipper splits a stream: at "\\n", and nowhere else."""
        return self._stream.getvalue().split("\n")[:-1]

    def records(self) -> list[dict[str, Any]]:
        """Every line parsed as JSON (fails if one is not a JSON object)."""
        return [json.loads(line) for line in self.lines()]

    def of(self, logger: str) -> list[dict[str, Any]]:
        return [r for r in self.records() if r["logger"] == logger]


@contextmanager
def captured_log_lines(log_format: LogFormat, level: str = "INFO") -> Iterator[LogLines]:
    """Logging configured as `elope serve` does, writing to a buffer; undone afterwards."""
    root = logging.getLogger()
    handlers, old_level = root.handlers[:], root.level
    # A fresh handler of ours, not one an earlier test configured (and would keep changed).
    root.handlers[:] = [h for h in handlers if h.get_name() != HANDLER_NAME]
    stream = io.StringIO()
    configure_logging(level, log_format, stream)
    try:
        yield LogLines(stream)
    finally:
        root.handlers[:] = handlers
        root.setLevel(old_level)
