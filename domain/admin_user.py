"""Someone allowed into the admin API."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class AdminUser:
    id: str
    email: str
    password_hash: str
