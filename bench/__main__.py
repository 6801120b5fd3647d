"""`python -m bench [--quick] [--tracing off|otlp|both] [--workers N] [--profile] ...`

Run from the repository's root with the project's virtualenv (`.venv/bin/python -m bench`);
`--help` lists the options.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Coroutine
from typing import Any

from bench.children import BenchFailed, stop_on_signals
from bench.options import parse_options
from bench.run import run


def _run(main: Coroutine[Any, Any, int]) -> int:
    # The load generator on uvloop when installed, like the servers it drives.
    try:
        import uvloop
    except ImportError:
        return asyncio.run(main)
    return uvloop.run(main)


def main() -> int:
    options = parse_options(sys.argv[1:])
    stop_on_signals()
    try:
        return _run(run(options))
    except KeyboardInterrupt:
        print("\ninterrupted; every process the benchmark started was stopped", file=sys.stderr)
        return 130
    except BenchFailed as failure:
        print(f"\nbench: {failure}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
