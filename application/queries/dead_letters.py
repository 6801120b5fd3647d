"""What waits in the dead-letter queue, as /metrics reports it."""

from __future__ import annotations

from application.ports.dead_letters import DeadLetters, UnreadableLetter


async def dead_letter_counts(dead_letters: DeadLetters) -> tuple[int, int]:
    """(letters replay will deliver, entries it never will). The directory is shared by the
    instance's workers: each reports the same numbers, so alert on their max, not their sum.
    Raises when the directory cannot be read."""
    entries = await dead_letters.list()
    unreadable = sum(isinstance(entry, UnreadableLetter) for entry in entries)
    return len(entries) - unreadable, unreadable
