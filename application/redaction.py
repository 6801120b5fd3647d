"""What personal data may look like in a log line at INFO: enough to tell two apart, not
enough to read off whom they belong to."""

from __future__ import annotations

_MAX_DOMAIN = 64
"""A client can send any text as an email; a log line should not grow with it."""


def mask_email(email: str) -> str:
    """`ada@example.com` → `a***@example.com`; anything without a local part and a domain
    → `***`."""
    local, at, domain = email.strip().lower().rpartition("@")
    if not at or not local or not domain:
        return "***"
    if len(domain) > _MAX_DOMAIN:
        domain = domain[:_MAX_DOMAIN] + "…"
    return f"{local[0]}***@{domain}"
