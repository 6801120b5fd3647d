"""Webhooks survive a database outage: a verified event the database cannot take is kept as
a dead letter (and answered 503), and delivered into the inbox once the database is back -
by the server's loop or by `elope webhooks replay --dead-letters` - exactly once, even when
Stripe redelivers it meanwhile."""

from __future__ import annotations

import asyncio
import hashlib
import os
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from application.commands import DeadLetterReport, ReplayDeadLetters
from entrypoints.bootstrap import Elope
from entrypoints.http.background import background_loops
from tests.conftest import paid_session, sign, stripe_event
from tests.integration.conftest import WEBHOOK_SECRET, MakeElope, real_environment
from tests.integration.outage import Outage
from tests.integration.servers import ELOPE
from tests.metrics_scrape import scrape, value


@pytest.fixture
async def paid_event(elope: Elope, future_date: Callable[[int], str]) -> dict[str, Any]:
    async with elope.uow() as tx:
        package = await tx.packages.get_by_slug("sunrise-cliffs")
    assert package is not None
    session = paid_session(package_id=package.id, event_date=future_date(120))
    return stripe_event("checkout.session.completed", session)


def letters(elope: Elope) -> list[Path]:
    directory = elope.settings.dead_letter_dir
    return sorted(directory.iterdir()) if directory.exists() else []


async def deliver_during_outage(client: httpx.AsyncClient, outage: Outage,
                                event: dict[str, Any]) -> httpx.Response:
    raw, headers = sign(event, WEBHOOK_SECRET)
    await outage.begin()
    try:
        return await client.post("/v1/webhooks/stripe", content=raw, headers=headers)
    finally:
        await outage.end()


async def bookings_of(elope: Elope, event: dict[str, Any]) -> list[str]:
    """The booking of the event's session, and every confirmation email sent for it."""
    await elope.relay.drain()
    async with elope.uow() as tx:
        booking = await tx.bookings.by_session(event["data"]["object"]["id"])
    assert booking is not None
    mails = sorted(elope.settings.mail_sink_dir.glob("*confirmation.eml"))
    return [booking.status.value, *(f"mail {p.name}" for p in mails)]


async def test_a_paid_webhook_during_an_outage_is_kept_answered_503_and_booked_once_replayed(
    elope: Elope, client: httpx.AsyncClient, outage: Outage,
    paid_event: dict[str, Any],
) -> None:
    during = await deliver_during_outage(client, outage, paid_event)

    assert during.status_code == 503, during.text
    assert during.json()["error"] == "SERVICE_UNAVAILABLE"
    assert "kept" in during.json()["message"]
    # One file, named by the hash of the event id (a safe name whatever the id).
    assert [p.name for p in letters(elope)] == [
        hashlib.sha256(paid_event["id"].encode()).hexdigest() + ".json"]

    report: DeadLetterReport = await elope.bus.handle(ReplayDeadLetters())
    again: DeadLetterReport = await elope.bus.handle(ReplayDeadLetters())

    assert [(r.name, r.action, r.detail) for r in report.letters] == [
        (paid_event["id"], "delivered", "booked")]
    assert again.letters == ()
    assert letters(elope) == []
    booked = await bookings_of(elope, paid_event)
    assert booked[0] == "PAID" and len(booked) == 2  # one booking, one confirmation


async def test_a_letter_whose_event_stripe_redelivered_meanwhile_books_nothing_more(
    elope: Elope, client: httpx.AsyncClient, outage: Outage,
    paid_event: dict[str, Any],
) -> None:
    await deliver_during_outage(client, outage, paid_event)
    raw, headers = sign(paid_event, WEBHOOK_SECRET)
    redelivered = await client.post("/v1/webhooks/stripe", content=raw, headers=headers)

    report: DeadLetterReport = await elope.bus.handle(ReplayDeadLetters())

    assert redelivered.status_code == 200, redelivered.text
    assert [(r.action, r.detail) for r in report.letters] == [("delivered", "already_done")]
    assert letters(elope) == []
    booked = await bookings_of(elope, paid_event)
    assert booked[0] == "PAID" and len(booked) == 2


async def test_letters_wait_while_the_database_is_still_down_and_metrics_count_them(
    elope: Elope, client: httpx.AsyncClient, outage: Outage,
    paid_event: dict[str, Any],
) -> None:
    await deliver_during_outage(client, outage, paid_event)
    await outage.begin()
    try:
        report: DeadLetterReport = await elope.bus.handle(ReplayDeadLetters())
        waiting = await scrape(client)  # what the ElopeDeadLettersWaiting alert watches
    finally:
        await outage.end()
    await elope.bus.handle(ReplayDeadLetters())
    replayed = await scrape(client)

    assert [(r.action, r.detail) for r in report.letters] == [
        ("kept", "the database is still down")]
    assert value(waiting, "elope_dead_letters_waiting") == 1
    assert value(waiting, "elope_dead_letters_unreadable") == 0
    assert letters(elope) == []
    assert value(replayed, "elope_dead_letters_waiting") == 0


async def test_the_servers_loop_replays_letters_once_the_database_is_back(
    make_elope: MakeElope, elope: Elope, client: httpx.AsyncClient,
    outage: Outage, paid_event: dict[str, Any],
) -> None:
    await deliver_during_outage(client, outage, paid_event)
    serving = await make_elope()
    fast = serving.settings.model_copy(update={"dead_letter_replay_seconds": 1})
    object.__setattr__(serving, "settings", fast)  # a frozen container; the loop reads it

    async with background_loops(serving):
        for _ in range(100):
            if not letters(elope):
                break
            await asyncio.sleep(0.1)

    assert letters(elope) == []
    assert (await bookings_of(elope, paid_event))[0] == "PAID"


async def test_the_command_replays_letters_and_reports_and_leaves_a_foreign_file(
    elope: Elope, client: httpx.AsyncClient, outage: Outage,
    paid_event: dict[str, Any], clean_postgres: str, tmp_path: Path, stripe_api_base: str,
) -> None:
    await deliver_during_outage(client, outage, paid_event)
    foreign = elope.settings.dead_letter_dir / "notes.txt"
    foreign.write_text("{ not a letter")
    env = {**os.environ, **real_environment(clean_postgres, tmp_path / "mail", stripe_api_base)}

    run = await asyncio.to_thread(
        subprocess.run, [ELOPE, "webhooks", "replay", "--dead-letters"], env=env,
        capture_output=True, text=True, timeout=60)

    assert run.stdout.splitlines() == [
        f"{paid_event['id']}: delivered - booked",
        "notes.txt: left - not JSON",
        f"elope: 2 dead letters in {elope.settings.dead_letter_dir}: 1 delivered, 0 kept,"
        " 1 left unreadable",
    ], run.stderr
    assert run.returncode == 1  # something is left for a person to look at
    assert letters(elope) == [foreign]
    booked = await bookings_of(elope, paid_event)
    assert booked[0] == "PAID" and len(booked) == 2
