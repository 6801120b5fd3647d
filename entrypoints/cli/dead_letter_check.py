"""`elope doctor`'s look at the dead-letter queue: webhooks kept on disk while the database
was down. A directory the service cannot write loses that safety net without a word until the
next outage; letters it cannot read wait for an operator forever."""

from __future__ import annotations

import os
from pathlib import Path

from application.ports.dead_letters import UnreadableLetter
from entrypoints.bootstrap import dead_letters_of
from entrypoints.settings import Settings

Check = tuple[bool, str]


async def dead_letter_check(settings: Settings) -> Check:
    """DEAD_LETTER_DIR writable (or creatable) by this user, and what is waiting in it."""
    queue = dead_letters_of(settings)
    directory = queue.directory
    blocked = _not_writable(directory)
    if blocked is not None:
        return False, (f"dead letters: {blocked} cannot be written by this user: webhooks"
                       " that arrive while the database is down could not be kept; make it"
                       " writable by the service's user, or set DEAD_LETTER_DIR")
    letters = await queue.list() if directory.is_dir() else []
    unreadable = [letter for letter in letters if isinstance(letter, UnreadableLetter)]
    waiting = len(letters) - len(unreadable)
    replayed = (f"`elope serve` replays them every {settings.dead_letter_replay_seconds} s,"
                " `elope webhooks replay --dead-letters` at once")
    if unreadable:
        names = ", ".join(letter.name for letter in unreadable[:3])
        return False, (f"dead letters: {len(unreadable)} in {directory} cannot be replayed"
                       f" ({names}{', …' if len(unreadable) > 3 else ''}: not written by"
                       " this service with this webhook secret, or damaged): read them, then"
                       f" remove them; {waiting} waiting ({replayed})")
    return True, f"dead letters: {directory} writable, {waiting} waiting ({replayed})"


def _not_writable(directory: Path) -> Path | None:
    """The directory, or the nearest existing folder above it that `serve` would create it
    in, when this user cannot write there; None when it can. Nothing is created here."""
    existing = directory.absolute()
    while not existing.exists():
        existing = existing.parent
    usable = existing.is_dir() and os.access(existing, os.W_OK | os.X_OK)
    return None if usable else existing
