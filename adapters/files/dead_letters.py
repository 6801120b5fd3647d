"""The dead-letter queue as a directory: one JSON file per event, written so that a crash or
power cut leaves either no file or the whole file, never half of one.

A letter is trusted on replay as a verified event (its Stripe signature is long expired by
then), so each file is sealed with an HMAC under a key of this service: a file that someone
else wrote or altered is reported, never delivered into the inbox.
"""

from __future__ import annotations

import asyncio
import builtins
import contextlib
import datetime as dt
import hashlib
import hmac
import json
import os
import tempfile
from pathlib import Path
from typing import Any

from application.ports.dead_letters import DeadLetter, UnreadableLetter

SUFFIX = ".json"
# Far above any Stripe event (their payloads are tens of kilobytes): a bigger file is not ours.
MAX_FILE_BYTES = 4 * 1024 * 1024


class FileDeadLetters:
    def __init__(self, directory: Path, key: bytes) -> None:
        self._directory = directory
        self._key = key

    @property
    def directory(self) -> Path:
        return self._directory

    def name_of(self, event_id: str) -> str:
        """The file name of an event's letter: a hash, so any id (slashes, dots, NUL, a
        thousand characters) makes one safe name, and the same id always the same one."""
        return hashlib.sha256(event_id.encode("utf-8", "surrogatepass")).hexdigest() + SUFFIX

    # The file system blocks: every call runs in a worker thread, off the event loop.
    async def add(self, letter: DeadLetter) -> bool:
        return await asyncio.to_thread(self._add, letter)

    async def list(self) -> list[DeadLetter | UnreadableLetter]:
        return await asyncio.to_thread(self._list)

    async def remove(self, event_id: str) -> None:
        await asyncio.to_thread(self._remove, event_id)

    def _add(self, letter: DeadLetter) -> bool:
        path = self._directory / self.name_of(letter.event_id)
        if path.exists():
            return False  # kept already: the first letter of an event is the one replayed
        # Owner only: payloads carry the couple's name, email and phone.
        self._directory.mkdir(parents=True, exist_ok=True, mode=0o700)
        fields = _fields(letter)
        body = json.dumps({"letter": fields, "seal": self._seal(fields)}).encode()
        # A temporary name in the same directory (same file system, so the rename is atomic),
        # starting with a dot so that a listing never takes a half-written file for a letter.
        descriptor, temporary = tempfile.mkstemp(dir=self._directory, prefix=".",
                                                 suffix=".tmp")
        try:
            with os.fdopen(descriptor, "wb") as file:
                file.write(body)
                file.flush()
                os.fsync(file.fileno())
            os.replace(temporary, path)
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(temporary)
            raise
        self._sync_directory()  # the rename itself is durable only once the directory is
        return True

    # `builtins.list`: in this class `list` is the method above.
    def _list(self) -> builtins.list[DeadLetter | UnreadableLetter]:
        try:
            entries = [e for e in os.scandir(self._directory) if not e.name.startswith(".")]
        except FileNotFoundError:
            return []  # nothing was ever kept
        letters: builtins.list[DeadLetter] = []
        unreadable: builtins.list[UnreadableLetter] = []
        for entry in entries:
            found = self._read(entry)
            if found is None:
                continue  # removed since the listing (another instance replayed it)
            if isinstance(found, DeadLetter):
                letters.append(found)
            else:
                unreadable.append(found)
        letters.sort(key=lambda letter: letter.received_at)
        return [*letters, *sorted(unreadable, key=lambda u: u.name)]

    def _read(self, entry: os.DirEntry[str]) -> DeadLetter | UnreadableLetter | None:
        def bad(problem: str) -> UnreadableLetter:
            return UnreadableLetter(entry.name, problem)

        try:
            if not entry.is_file(follow_symlinks=False):
                return bad("not a regular file")
            if entry.stat(follow_symlinks=False).st_size > MAX_FILE_BYTES:
                return bad(f"larger than {MAX_FILE_BYTES} bytes")
            document = json.loads(Path(entry.path).read_bytes())
        except FileNotFoundError:
            return None
        except OSError as exc:
            return bad(f"cannot be read ({exc.strerror or type(exc).__name__})")
        except ValueError:
            return bad("not JSON")
        fields = document.get("letter") if isinstance(document, dict) else None
        seal = document.get("seal") if isinstance(document, dict) else None
        if not isinstance(fields, dict) or not isinstance(seal, str):
            return bad("not a dead letter")
        if not hmac.compare_digest(seal, self._seal(fields)):
            return bad("its seal does not match: altered, or not written by this service")
        try:
            letter = _letter(fields)
        except (KeyError, TypeError, ValueError):
            return bad("not a dead letter")
        if entry.name != self.name_of(letter.event_id):
            return bad("its name is not its event's")
        return letter

    def _remove(self, event_id: str) -> None:
        try:
            (self._directory / self.name_of(event_id)).unlink()
        except FileNotFoundError:
            return  # removed already (another instance replayed it too)
        self._sync_directory()

    def _seal(self, fields: dict[str, Any]) -> str:
        canonical = json.dumps(fields, sort_keys=True, separators=(",", ":")).encode()
        return hmac.new(self._key, canonical, hashlib.sha256).hexdigest()

    def _sync_directory(self) -> None:
        descriptor = os.open(self._directory, os.O_RDONLY)
        try:
            os.fsync(descriptor)
        finally:
            os.close(descriptor)


def _fields(letter: DeadLetter) -> dict[str, str]:
    return {"eventId": letter.event_id, "eventType": letter.event_type,
            "rawPayload": letter.raw_payload, "receivedAt": letter.received_at.isoformat(),
            "correlationId": letter.correlation_id}


def _letter(fields: dict[str, Any]) -> DeadLetter:
    values = {key: fields[key] for key in ("eventId", "eventType", "rawPayload", "receivedAt",
                                           "correlationId")}
    if not all(isinstance(value, str) for value in values.values()):
        raise TypeError("every field of a letter is a string")
    received = dt.datetime.fromisoformat(values["receivedAt"])
    return DeadLetter(values["eventId"], values["eventType"], values["rawPayload"], received,
                      values["correlationId"])
