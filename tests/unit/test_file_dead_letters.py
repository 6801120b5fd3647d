"""The file-backed dead-letter queue: durable, atomic, one letter per event, safe names."""

from __future__ import annotations

import datetime as dt
import json
import os
import stat
from pathlib import Path

import pytest

from adapters.files.dead_letters import FileDeadLetters
from application.ports.dead_letters import DeadLetter, DeadLetters, UnreadableLetter

KEY = b"k" * 32
NOW = dt.datetime(2026, 12, 7, 9, 0, tzinfo=dt.UTC)


def letter(event_id: str = "evt_1", correlation_id: str = "req-1",
           received_at: dt.datetime = NOW) -> DeadLetter:
    payload = json.dumps({"id": event_id, "type": "checkout.session.completed",
                          "data": {"object": {"id": "cs_1"}}})
    return DeadLetter(event_id, "checkout.session.completed", payload, received_at,
                      correlation_id)


@pytest.fixture
def queue(tmp_path: Path) -> FileDeadLetters:
    return FileDeadLetters(tmp_path / "dead", KEY)


async def test_a_kept_letter_is_listed_as_it_was_written(queue: FileDeadLetters) -> None:
    port: DeadLetters = queue  # the adapter is the port (mypy checks it here)
    assert await port.list() == []  # the directory does not even exist yet
    assert await port.add(letter()) is True
    assert await port.list() == [letter()]


async def test_the_directory_holds_only_the_finished_file_readable_by_its_owner_only(
    queue: FileDeadLetters,
) -> None:
    await queue.add(letter())
    [path] = list(queue.directory.iterdir())  # no temporary file left behind
    assert path.name == queue.name_of("evt_1")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(queue.directory.stat().st_mode) == 0o700


async def test_a_second_letter_for_the_same_event_changes_nothing(
    queue: FileDeadLetters,
) -> None:
    await queue.add(letter(correlation_id="first"))
    assert await queue.add(letter(correlation_id="second")) is False
    assert [kept.correlation_id for kept in await queue.list()] == ["first"]  # type: ignore[union-attr]


@pytest.mark.parametrize("event_id", ["../../etc/passwd", "a/b", ".hidden", "nul\x00byte",
                                      "x" * 1000, "évènement", ""])
async def test_any_event_id_gives_one_safe_file_name_inside_the_directory(
    queue: FileDeadLetters, event_id: str,
) -> None:
    assert await queue.add(letter(event_id)) is True
    [path] = list(queue.directory.iterdir())
    assert path.parent == queue.directory
    assert len(path.name) == 64 + len(".json") and path.name[:64].isalnum()
    assert await queue.list() == [letter(event_id)]
    await queue.remove(event_id)
    assert list(queue.directory.iterdir()) == []


async def test_the_file_and_the_rename_are_synced_to_disk(
    queue: FileDeadLetters, monkeypatch: pytest.MonkeyPatch,
) -> None:
    synced: list[str] = []
    real_fsync = os.fsync

    def fsync(descriptor: int) -> None:
        synced.append(os.readlink(f"/proc/self/fd/{descriptor}"))
        real_fsync(descriptor)

    monkeypatch.setattr(os, "fsync", fsync)
    await queue.add(letter())
    # The temporary file's content first, then the directory that records the rename.
    assert len(synced) == 2
    assert Path(synced[0]).name.startswith(".") and Path(synced[1]) == queue.directory


async def test_a_write_that_fails_before_the_rename_leaves_no_letter_and_no_litter(
    queue: FileDeadLetters, monkeypatch: pytest.MonkeyPatch,
) -> None:
    def full_disk(source: str, target: str) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", full_disk)
    with pytest.raises(OSError):
        await queue.add(letter())
    assert list(queue.directory.iterdir()) == []
    assert await queue.list() == []


async def test_a_half_written_temporary_file_is_not_taken_for_a_letter(
    queue: FileDeadLetters,
) -> None:
    await queue.add(letter())
    (queue.directory / ".abc.tmp").write_text('{"letter": {"eventId"')
    assert await queue.list() == [letter()]


async def test_letters_are_listed_oldest_first_and_unreadable_files_after_them(
    queue: FileDeadLetters, tmp_path: Path,
) -> None:
    await queue.add(letter("evt_new", received_at=NOW))
    await queue.add(letter("evt_old", received_at=NOW - dt.timedelta(hours=1)))
    (queue.directory / "notes.txt").write_text("not json")
    listed = await queue.list()
    assert [getattr(entry, "event_id", None) for entry in listed] == ["evt_old", "evt_new", None]
    assert listed[2] == UnreadableLetter("notes.txt", "not JSON")


async def test_a_letter_altered_or_sealed_with_another_key_is_reported_not_trusted(
    queue: FileDeadLetters, tmp_path: Path,
) -> None:
    await FileDeadLetters(queue.directory, b"another key").add(letter("evt_foreign"))
    await queue.add(letter("evt_altered"))
    path = queue.directory / queue.name_of("evt_altered")
    document = json.loads(path.read_text())
    document["letter"]["rawPayload"] = document["letter"]["rawPayload"].replace("cs_1", "cs_2")
    path.write_text(json.dumps(document))
    problems = {entry.name: entry.problem for entry in await queue.list()
                if isinstance(entry, UnreadableLetter)}
    assert problems == {
        queue.name_of(event): "its seal does not match: altered, or not written by this service"
        for event in ("evt_foreign", "evt_altered")}


async def test_a_letter_moved_to_another_events_name_is_reported(
    queue: FileDeadLetters,
) -> None:
    await queue.add(letter("evt_a"))
    (queue.directory / queue.name_of("evt_a")).rename(queue.directory / queue.name_of("evt_b"))
    assert await queue.list() == [
        UnreadableLetter(queue.name_of("evt_b"), "its name is not its event's")]


async def test_a_directory_or_json_of_another_shape_is_reported(
    queue: FileDeadLetters,
) -> None:
    queue.directory.mkdir(parents=True)
    (queue.directory / "sub").mkdir()
    (queue.directory / "list.json").write_text("[1, 2]")
    assert await queue.list() == [UnreadableLetter("list.json", "not a dead letter"),
                                  UnreadableLetter("sub", "not a regular file")]


async def test_removing_is_idempotent(queue: FileDeadLetters) -> None:
    await queue.add(letter())
    await queue.remove("evt_1")
    await queue.remove("evt_1")
    await queue.remove("evt_never_kept")
    assert await queue.list() == []


async def test_a_letter_removed_while_listing_is_not_reported(
    queue: FileDeadLetters, monkeypatch: pytest.MonkeyPatch,
) -> None:
    await queue.add(letter("evt_gone"))
    await queue.add(letter("evt_kept"))
    gone = queue.name_of("evt_gone")
    read_bytes = Path.read_bytes

    def vanishing(path: Path) -> bytes:
        if path.name == gone:  # another instance replayed and removed it meanwhile
            path.unlink()
        return read_bytes(path)

    monkeypatch.setattr(Path, "read_bytes", vanishing)
    assert await queue.list() == [letter("evt_kept")]
