"""Mail as files under MAIL_SINK_DIR: the mock preset's inbox, and the fallback when no
Postmark token is configured. One file per idempotency key, so a resend changes nothing."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path

from application.ports.mail import MailMessage

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]")


class FileMailSink:
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
        # Write then rename: a reader never sees half a message, a crash leaves no stub.
        partial = path.with_suffix(".partial")
        partial.write_text(body, encoding="utf-8")
        partial.replace(path)

    def sent(self) -> list[Path]:
        return sorted(self.directory.glob("*.eml")) if self.directory.exists() else []
