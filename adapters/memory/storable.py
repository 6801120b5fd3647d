"""What PostgreSQL refuses to store, the memory set refuses too (`Unstorable`), so a contract
test catches any input the edge lets through (tests/contract/test_storable_text.py).

PostgreSQL text cannot hold NUL, UTF-8 cannot encode a lone surrogate, a varchar(n) column
takes at most n characters, and jsonb (the outbox) refuses NUL as well. The lengths are those
of adapters/piccolo/tables.py."""

from __future__ import annotations

import dataclasses
from typing import Any

from domain.errors import Unstorable


def _refused(value: str) -> bool:
    return any(c == "\x00" or 0xD800 <= ord(c) <= 0xDFFF for c in value)


def check_columns(table: str, **columns: tuple[str | None, int | None]) -> None:
    """Each column as (value, varchar length or None for text)."""
    for name, (value, max_len) in columns.items():
        if value is None:
            continue
        if _refused(value) or (max_len is not None and len(value) > max_len):
            raise Unstorable(f"{table}.{name} cannot be stored")


def check_document(table: str, document: Any) -> None:
    """Every string in a dataclass stored as a jsonb document."""
    for field in dataclasses.fields(document):
        value = getattr(document, field.name)
        if isinstance(value, str) and _refused(value):
            raise Unstorable(f"{table}.{field.name} cannot be stored")
