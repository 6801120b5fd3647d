"""Mail as files under MAIL_SINK_DIR: the mock preset's inbox, and the fallback when no
Postmark token is configured. One `.eml` file per idempotency key (headers and the text body),
so a resend changes nothing; a message with an HTML body also gets `<same name>.html` beside it."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path

from application.ports.mail import MailMessage

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]")


class FileMailSink:
    """A Mailer that writes each message to files instead of sending it."""

    provider = "file"

    def __init__(self, directory: Path, from_address: str) -> None:
        self.directory = directory
        self._from = from_address

    async def send(self, message: MailMessage, idempotency_key: str) -> None:
        await asyncio.to_thread(self._write, message, idempotency_key)

    def _write(self, message: MailMessage, key: str) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        path = self.directory / f"{_UNSAFE.sub('_', key)}.eml"
        if path.exists():
            return
        body = (f"From: {self._from}\nTo: {message.to}\nSubject: {message.subject}\n"
                f"X-Idempotency-Key: {key}\n\n{message.text}")
        # The HTML goes first: the .eml is what says "sent", so a crash between the two
        # leaves no .eml without its HTML, and the next send writes both again.
        if message.html:
            _write_whole(path.with_suffix(".html"), message.html)
        _write_whole(path, body)

    def sent(self) -> list[Path]:
        return sorted(self.directory.glob("*.eml")) if self.directory.exists() else []


def _write_whole(path: Path, text: str) -> None:
    # Write then rename: a reader never sees half a message, a crash leaves no stub.
    partial = path.with_name(f"{path.name}.partial")
    partial.write_text(text, encoding="utf-8")
    partial.replace(path)
