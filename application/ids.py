"""Opaque ids: a short type prefix (readable in logs) and 128 random bits."""

from __future__ import annotations

import uuid


def new_id(prefix: str) -> str:
    return f"{prefix}_{uuid.uuid4().hex}"
