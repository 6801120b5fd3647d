"""Text Elope can store: the one rule every input normalizer applies, so what the edge accepts
PostgreSQL can store and the paid webhook can book.

PostgreSQL `text`/`varchar` cannot hold NUL, and a lone surrogate cannot be encoded as UTF-8
at all; either makes a write fail on every retry. Other control characters are storable but
are never part of a name, an email, a phone number, a slug, an id or a title, and in those
they only hide text (ESC sequences in a log, a line break in a mail header): refused too.
Free text that is written in paragraphs (a description, a blackout reason) may keep tabs and
line breaks (\\t, \\n, \\r), and nothing else below U+0020.
"""

from __future__ import annotations

from domain.errors import ValidationFailed

_BREAKS = frozenset("\t\n\r")


def _refused(char: str, multiline: bool) -> bool:
    code = ord(char)
    if 0xD800 <= code <= 0xDFFF:  # a lone surrogate: not UTF-8 encodable
        return True
    # C0, DEL and C1 controls; NUL is among them, whatever `multiline` says.
    if code < 0x20 or 0x7F <= code <= 0x9F:
        return not (multiline and char in _BREAKS)
    return False


def unstorable(value: str, *, multiline: bool = False) -> bool:
    """Whether `value` holds a character this rule refuses."""
    return any(_refused(c, multiline) for c in value)


def storable_text(
    value: object, what: str, max_len: int, *, required: bool = True, multiline: bool = False,
) -> str:
    """`value` stripped, or `ValidationFailed` naming `what`: not a string, empty when
    `required`, longer than `max_len` (the column's length), or holding a refused character."""
    if not isinstance(value, str):
        raise ValidationFailed(f"{what} must be a string")
    value = value.strip()
    if required and not value:
        raise ValidationFailed(f"{what} must not be empty")
    if len(value) > max_len:
        raise ValidationFailed(f"{what} must be at most {max_len} characters")
    if unstorable(value, multiline=multiline):
        raise ValidationFailed(f"{what} must not contain control characters")
    return value


def shown(value: object, limit: int = 60) -> str:
    """`value` safe to put in a message that is stored or logged: refused characters escaped,
    cut at `limit` characters (an error message must itself be storable)."""
    text = value if isinstance(value, str) else repr(value)
    cut = text[:limit]
    safe = "".join(f"\\u{ord(c):04x}" if _refused(c, False) else c for c in cut)
    return safe + ("..." if len(text) > limit else "")
