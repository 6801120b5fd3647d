"""The dead-letter gauges of /metrics, read from a real queue directory at each scrape: what
waits for replay, what never will be replayed, back to 0 once removed, and left out - never
stale, never 0 - when the directory cannot be read."""

from __future__ import annotations

import asyncio
import functools
from pathlib import Path

import pytest

from adapters.files.dead_letters import FileDeadLetters
from adapters.telemetry import scrape_gauges
from adapters.telemetry.prometheus_metrics import PrometheusMetrics
from application.queries.dead_letters import dead_letter_counts
from tests.metrics_scrape import parse_samples, value
from tests.unit.test_file_dead_letters import KEY, letter

WAITING, UNREADABLE = "elope_dead_letters_waiting", "elope_dead_letters_unreadable"


async def scraped(metrics: PrometheusMetrics) -> dict[str, float | None]:
    await metrics.refresh()
    samples = parse_samples(metrics.render()[0].decode())
    return {name: value(samples, name) for name in (WAITING, UNREADABLE,
                                                    "elope_lock_timeouts_total")}


def watching(queue: FileDeadLetters) -> PrometheusMetrics:
    metrics = PrometheusMetrics()
    metrics.set_dead_letter_reader(functools.partial(dead_letter_counts, queue))
    return metrics


async def test_an_empty_queue_reports_zero_before_its_directory_exists(tmp_path: Path) -> None:
    page = await scraped(watching(FileDeadLetters(tmp_path / "dead", KEY)))
    assert (page[WAITING], page[UNREADABLE]) == (0, 0)


async def test_letters_waiting_and_entries_never_replayed_are_counted_apart_until_removed(
    tmp_path: Path,
) -> None:
    queue = FileDeadLetters(tmp_path / "dead", KEY)
    metrics = watching(queue)
    await queue.add(letter("evt_waiting"))
    await FileDeadLetters(queue.directory, b"an old webhook secret's key").add(letter("evt_old"))
    damaged = queue.directory / queue.name_of("evt_damaged")
    damaged.write_text('{"letter": {"eventId": ')

    before = await scraped(metrics)
    await queue.remove("evt_waiting")
    (queue.directory / queue.name_of("evt_old")).unlink()
    damaged.unlink()
    after = await scraped(metrics)

    assert (before[WAITING], before[UNREADABLE]) == (1, 2)
    assert (after[WAITING], after[UNREADABLE]) == (0, 0)


async def test_a_directory_that_cannot_be_read_drops_the_gauges_not_the_page(
    tmp_path: Path,
) -> None:
    queue = FileDeadLetters(tmp_path / "dead", KEY)
    metrics = watching(queue)
    await queue.add(letter())
    readable = await scraped(metrics)
    for entry in queue.directory.iterdir():
        entry.unlink()
    queue.directory.rmdir()
    queue.directory.write_text("DEAD_LETTER_DIR is a file now")  # unreadable even by root

    broken = await scraped(metrics)

    assert readable[WAITING] == 1
    assert (broken[WAITING], broken[UNREADABLE]) == (None, None)  # absent, not 1 nor 0
    assert broken["elope_lock_timeouts_total"] == 0  # the rest of the page is there


async def test_a_hung_directory_costs_the_scrape_the_gauges_and_at_most_one_thread(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(scrape_gauges, "DEAD_LETTER_READ_SECONDS", 0.05)
    metrics, answered, reads = PrometheusMetrics(), asyncio.Event(), []

    async def read() -> tuple[int, int]:
        reads.append("started")
        await answered.wait()  # a file system that does not answer
        return (2, 1)

    metrics.set_dead_letter_reader(read)

    hung = [await scraped(metrics) for _ in range(3)]
    started_while_hung = len(reads)
    answered.set()
    recovered = await scraped(metrics)

    assert [(page[WAITING], page[UNREADABLE]) for page in hung] == [(None, None)] * 3
    assert started_while_hung == 1  # later scrapes waited on the same read, started none
    assert (recovered[WAITING], recovered[UNREADABLE]) == (2, 1)
