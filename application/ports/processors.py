from __future__ import annotations

from typing import Protocol


class Processors(Protocol):
    """Who is doing a piece of work: this process's name as a claimant, which other
    processes can check is still alive (`WebhookEventRepository.claimant_alive`)."""

    def current(self) -> str | None:
        """This process's claimant name, or None while it cannot vouch for itself (its
        liveness connection is down): its claims then fall back to their lease."""
