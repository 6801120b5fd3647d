"""`python -m tracing_ui`: one booking, followed in the tracing UI in headless Chromium.

Starts Phoenix (or uses `--ui-url`), starts Elope exporting to it, books one date with a
chosen X-Request-ID, waits for the spans, then searches the UI's spans by the journey id and
checks that the checkout's, the webhook's and the outbox relay's spans (email, calendar) are
all listed. Exit 0: all listed; 1: some missing, or a step failed; 2: bad options, or
Phoenix or Chromium not installed.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import sys
import time
from pathlib import Path

from bench.children import REPO, BenchFailed, Children, stop_on_signals
from tracing_ui.browser import DEFAULT_CHROMIUM, find_in_ui
from tracing_ui.journey import (
    JOURNEY_ATTRIBUTE,
    PROJECT,
    expected_spans,
    new_journey_id,
    span_filter,
    valid_journey_id,
)
from tracing_ui.phoenix import DEFAULT_EXECUTABLE, Phoenix, missing_phoenix, start_phoenix
from tracing_ui.service import DEFAULT_DATABASE_URL, start_elope

RUNS = REPO / "var" / "tracing-ui"


def parse_options(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m tracing_ui", description=__doc__.split("\n\n")[0])
    parser.add_argument("--preset", choices=("mock", "real"), default="mock",
                        help="mock: nothing else needed (default); real: PostgreSQL on"
                             " 127.0.0.1:5432 and the tests' fake Stripe")
    parser.add_argument("--ui-url", help="a running Phoenix (e.g. http://127.0.0.1:6006);"
                                         " default: start one for this run, on its own data")
    parser.add_argument("--phoenix", type=Path, default=REPO / DEFAULT_EXECUTABLE,
                        help="the `phoenix` command to start (default: %(default)s)")
    parser.add_argument("--journey-id", type=_journey_id, default=None,
                        help="the checkout's X-Request-ID (default: follow-<time>-<random>)")
    parser.add_argument("--attribute", default=JOURNEY_ATTRIBUTE,
                        help="the span attribute searched (default: %(default)s)")
    parser.add_argument("--screenshot", type=Path, default=None,
                        help="the spans list (default: the run's folder under var/tracing-ui/)")
    parser.add_argument("--trace-screenshot", type=Path, default=None,
                        help="the webhook's trace, opened at its span (default: beside it)")
    parser.add_argument("--chromium", type=Path, default=DEFAULT_CHROMIUM)
    parser.add_argument("--database-url", default=DEFAULT_DATABASE_URL,
                        help="real preset: dropped and created anew (default: %(default)s)")
    parser.add_argument("--timeout", type=float, default=60.0,
                        help="seconds to wait for the spans, in Phoenix and then in its UI")
    parser.add_argument("--keep", action="store_true",
                        help="leave Phoenix and Elope running afterwards, until Ctrl-C")
    return parser.parse_args(argv)


def _journey_id(value: str) -> str:
    try:
        return valid_journey_id(value)
    except ValueError as wrong:
        raise argparse.ArgumentTypeError(str(wrong)) from None


def prepare(options: argparse.Namespace) -> str | None:
    """What is missing before anything starts (None: nothing); makes the run's folder and
    the screenshots' folders, and fills in their paths."""
    if not options.ui_url and (missing := missing_phoenix(options.phoenix)):
        return missing
    if not options.chromium.exists():
        return f"no browser at {options.chromium}: apt-get install -y chromium (or --chromium)"
    options.run_dir = RUNS / dt.datetime.now().strftime("run-%Y%m%dT%H%M%S")
    (options.run_dir / "phoenix").mkdir(parents=True, exist_ok=True)
    options.screenshot = (options.screenshot or options.run_dir / "follow-a-booking.png").absolute()
    options.trace_screenshot = (options.trace_screenshot or options.screenshot.with_name(
        f"{options.screenshot.stem}-trace.png")).absolute()
    for path in (options.screenshot, options.trace_screenshot):
        path.parent.mkdir(parents=True, exist_ok=True)
    return None


async def run(options: argparse.Namespace) -> int:
    children = Children(options.run_dir)
    try:
        return await _follow(options, children, options.run_dir)
    finally:
        children.stop_all()


async def _follow(options: argparse.Namespace, children: Children, run_dir: Path) -> int:
    if options.ui_url:
        phoenix = Phoenix(options.ui_url)
        await phoenix.check()
        print(f"phoenix: using {phoenix.url}")
    else:
        phoenix = await start_phoenix(children, options.phoenix, run_dir / "phoenix")
        print(f"phoenix: started at {phoenix.url} (data and logs in {_shown(run_dir)})")
    elope = await start_elope(children, options.preset, phoenix.otlp_endpoint, run_dir,
                              options.database_url)
    print(f"elope: {options.preset} preset at {elope.base_url}, traces to"
          f" {phoenix.otlp_endpoint}/v1/traces, project {PROJECT!r}")

    journey_id = options.journey_id or new_journey_id()
    booking = await elope.book(journey_id)
    print(f"booking: {booking.event_date} booked; checkout X-Request-ID (journey id) {journey_id},"
          f" session {booking.session_id}, payment X-Request-ID {booking.webhook_request_id}")

    expected = expected_spans(options.preset)
    started = time.monotonic()
    arrived = await phoenix.wait_for_spans(PROJECT, options.attribute, journey_id, expected,
                                           options.timeout)
    print(f"phoenix: {len(set(expected) & set(arrived))} of {len(expected)} expected spans"
          f" with {options.attribute} = {journey_id} arrived in {time.monotonic() - started:.1f} s"
          f" ({len(arrived)} such spans in all)")
    project_id = await phoenix.project_id(PROJECT)
    if project_id is None:
        print(f"phoenix: no project {PROJECT!r}: the service exported nothing", file=sys.stderr)
        return 1

    condition = span_filter(options.attribute, journey_id)
    screenshot, trace_screenshot = options.screenshot, options.trace_screenshot
    listed = await find_in_ui(phoenix.url, project_id, condition, expected, screenshot,
                              trace_screenshot, options.chromium, options.timeout)
    print(f"ui: the filter  {condition}  lists {len(listed.names)} spans"
          f" in {len(listed.trace_ids)} traces:")
    for name in listed.names:
        print(f"    {name}")
    print(f"ui: {listed.url}")
    print(f"screenshots: {', '.join(map(_shown, listed.screenshots))}")

    missing = [name for name in expected if name not in listed.names]
    if missing:
        print(f"FAILED: the UI does not list {', '.join(missing)}", file=sys.stderr)
        return 1
    print("ok: the checkout, the webhook and the relay (email, calendar) are all listed")
    if options.keep:
        print("--keep: Phoenix and Elope run on; Ctrl-C stops them")
        await asyncio.Event().wait()
    return 0


def _shown(path: Path) -> str:
    return str(path.relative_to(REPO)) if path.is_relative_to(REPO) else str(path)


def main() -> int:
    options = parse_options(sys.argv[1:])
    if problem := prepare(options):
        print(f"tracing_ui: {problem}", file=sys.stderr)
        return 2
    stop_on_signals()
    try:
        return asyncio.run(run(options))
    except KeyboardInterrupt:
        print("\ninterrupted; every process the run started was stopped", file=sys.stderr)
        return 130
    except BenchFailed as failure:
        print(f"tracing_ui: {failure}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
