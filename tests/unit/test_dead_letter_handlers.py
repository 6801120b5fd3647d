"""When a webhook becomes a dead letter, and what a replay does with each answer of the inbox
(the PostgreSQL side is in tests/integration/test_webhook_dead_letters.py)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from adapters.files.dead_letters import FileDeadLetters
from adapters.settable_clock import SettableClock
from application.commands import RecordStripeEvent, ReplayDeadLetters, WebhookAck
from application.handlers.dead_letters import replay_dead_letters
from application.handlers.stripe_webhook import record_stripe_event
from application.ports.dead_letters import DeadLetter
from application.ports.payment import VerifiedEvent
from domain.errors import (
    StorageUnavailable,
    WebhookInProgress,
    WebhookProcessingFailed,
    WebhookRejected,
)
from domain.webhook_event import WebhookStatus

NOW = dt.datetime(2026, 12, 7, 9, 0, tzinfo=dt.UTC)


def event(event_id: str) -> VerifiedEvent:
    payload = json.dumps({"id": event_id, "type": "checkout.session.completed",
                          "data": {"object": {"id": f"cs_{event_id}"}}})
    return VerifiedEvent(event_id, "checkout.session.completed", {"id": f"cs_{event_id}"},
                         payload)


def processing_failed_by(cause: Exception) -> WebhookProcessingFailed:
    try:
        raise WebhookProcessingFailed("could not be processed") from cause
    except WebhookProcessingFailed as exc:
        return exc


class ScriptedInbox:
    """Answers each event id as told, and notes what it was asked."""

    def __init__(self, answers: dict[str, Exception | None]) -> None:
        self.answers = answers
        self.asked: list[tuple[str, str]] = []

    async def receive(self, verified: VerifiedEvent, correlation_id: str) -> WebhookAck:
        self.asked.append((verified.event_id, correlation_id))
        answer = self.answers[verified.event_id]
        if answer is not None:
            raise answer
        return WebhookAck(verified.event_id, WebhookStatus.PROCESSED, "booked")


class SignedAnything:
    def __init__(self, verified: VerifiedEvent) -> None:
        self.verified = verified

    def verify_webhook(self, raw: bytes, signature: str | None) -> VerifiedEvent:
        return self.verified


class Inbox:
    """The unit of work's webhook records, as the handler reads them after a failure."""

    def __init__(self, status: WebhookStatus | None) -> None:
        self.status = status

    def __call__(self) -> Inbox:
        return self

    async def __aenter__(self) -> Inbox:
        if self.status is None:
            raise StorageUnavailable("still down")
        return self

    async def __aexit__(self, *exc: object) -> None:
        return None

    @property
    def webhook_events(self) -> Inbox:
        return self

    async def get_for_update(self, event_id: str) -> Any:
        return SimpleNamespace(status=self.status)


class DiskFull:
    async def add(self, letter: DeadLetter) -> bool:
        raise OSError(28, "No space left on device")


@pytest.fixture
def queue(tmp_path: Path) -> FileDeadLetters:
    return FileDeadLetters(tmp_path / "dead", b"k" * 32)


async def record(inbox: ScriptedInbox, queue: Any, event_id: str,
                 recorded: WebhookStatus | None = None) -> WebhookAck:
    command = RecordStripeEvent(raw_body=b"{}", signature="t=1,v1=x", correlation_id="req-1")
    return await record_stripe_event(
        command, payments=SignedAnything(event(event_id)), inbox=inbox,  # type: ignore[arg-type]
        metrics=None, dead_letters=queue, clock=SettableClock(NOW),  # type: ignore[arg-type]
        uow=Inbox(recorded))


@pytest.mark.parametrize("down", [StorageUnavailable("down"),
                                  processing_failed_by(StorageUnavailable("down"))])
async def test_an_event_the_database_cannot_take_is_kept_and_answered_unavailable(
    queue: FileDeadLetters, down: Exception,
) -> None:
    with pytest.raises(StorageUnavailable, match="kept"):
        await record(ScriptedInbox({"evt_1": down}), queue, "evt_1")
    [kept] = await queue.list()
    assert kept == DeadLetter("evt_1", "checkout.session.completed", event("evt_1").raw_payload,
                              NOW, "req-1")


async def test_an_event_the_inbox_recorded_failed_keeps_the_500_of_a_transient_failure(
    queue: FileDeadLetters,
) -> None:
    # SPEC §4: a connection lost mid-work, the database up - FAILED, 500. Kept all the same,
    # so the replay processes it again should Stripe give up.
    down = processing_failed_by(StorageUnavailable("connection reset"))
    with pytest.raises(WebhookProcessingFailed):
        await record(ScriptedInbox({"evt_1": down}), queue, "evt_1",
                     recorded=WebhookStatus.FAILED)
    assert len(await queue.list()) == 1


@pytest.mark.parametrize("failure", [processing_failed_by(RuntimeError("bug")),
                                     WebhookInProgress("busy"), WebhookRejected("bad")])
async def test_any_other_failure_is_the_inboxs_and_keeps_nothing(
    queue: FileDeadLetters, failure: Exception,
) -> None:
    with pytest.raises(type(failure)):
        await record(ScriptedInbox({"evt_1": failure}), queue, "evt_1")
    assert await queue.list() == []


async def test_an_event_that_cannot_be_kept_either_gets_the_inboxs_own_answer() -> None:
    down = processing_failed_by(StorageUnavailable("down"))
    with pytest.raises(WebhookProcessingFailed):
        await record(ScriptedInbox({"evt_1": down}), DiskFull(), "evt_1")


async def test_a_replay_removes_what_the_inbox_settled_and_keeps_what_it_did_not(
    queue: FileDeadLetters,
) -> None:
    answers: dict[str, Exception | None] = {
        "evt_booked": None, "evt_bad": WebhookRejected("unknown package"),
        "evt_busy": WebhookInProgress("busy"),
        "evt_failing": processing_failed_by(RuntimeError("provider down")),
    }
    for age, event_id in enumerate(answers):
        await queue.add(DeadLetter(event_id, "checkout.session.completed",
                                   event(event_id).raw_payload,
                                   NOW + dt.timedelta(seconds=age), f"req-{event_id}"))
    inbox = ScriptedInbox(answers)

    report = await replay_dead_letters(ReplayDeadLetters(), dead_letters=queue,
                                       inbox=inbox)  # type: ignore[arg-type]

    assert [(r.name, r.action, r.detail) for r in report.letters] == [
        ("evt_booked", "delivered", "booked"),
        ("evt_bad", "delivered", "rejected: unknown package"),
        ("evt_busy", "kept", "another delivery is processing it"),
        ("evt_failing", "kept", "WebhookProcessingFailed: could not be processed"),
    ]
    # Each delivered under the correlation id of the delivery that was turned away.
    assert inbox.asked[0] == ("evt_booked", "req-evt_booked")
    assert [getattr(kept, "event_id", None) for kept in await queue.list()] == [
        "evt_busy", "evt_failing"]


async def test_a_replay_stops_at_the_first_letter_while_the_database_is_still_down(
    queue: FileDeadLetters,
) -> None:
    for age, event_id in enumerate(("evt_1", "evt_2")):
        await queue.add(DeadLetter(event_id, "checkout.session.completed",
                                   event(event_id).raw_payload,
                                   NOW + dt.timedelta(seconds=age), "req"))
    inbox = ScriptedInbox({"evt_1": processing_failed_by(StorageUnavailable("down")),
                           "evt_2": None})

    report = await replay_dead_letters(ReplayDeadLetters(), dead_letters=queue,
                                       inbox=inbox)  # type: ignore[arg-type]

    assert [(r.name, r.action) for r in report.letters] == [("evt_1", "kept")]
    assert [asked for asked, _ in inbox.asked] == ["evt_1"]
    assert len(await queue.list()) == 2


async def test_a_letter_whose_payload_is_not_json_is_left_and_the_round_goes_on(
    queue: FileDeadLetters,
) -> None:
    await queue.add(DeadLetter("evt_odd", "checkout.session.completed", "not json", NOW, "r"))
    await queue.add(DeadLetter("evt_ok", "checkout.session.completed",
                               event("evt_ok").raw_payload, NOW + dt.timedelta(seconds=1), "r"))

    report = await replay_dead_letters(ReplayDeadLetters(), dead_letters=queue,
                                       inbox=ScriptedInbox({"evt_ok": None}))  # type: ignore[arg-type]

    assert [(r.name, r.action) for r in report.letters] == [("evt_odd", "left"),
                                                            ("evt_ok", "delivered")]
