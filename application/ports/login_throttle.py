from __future__ import annotations

from typing import Protocol


class LoginThrottle(Protocol):
    """Counts failed logins per client; blocks a client past the limit for the window."""

    def is_blocked(self, client: str) -> bool: ...

    def record_failure(self, client: str) -> None: ...
