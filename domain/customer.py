"""A couple, known by email; upserted on each paid booking."""

from __future__ import annotations

import re
from dataclasses import dataclass

from domain.errors import ValidationFailed

# Deliberately plain: one @, a dot in the domain, no spaces. Stripe checks deliverability.
_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]{2,}$")


def normalize_email(email: str) -> str:
    email = email.strip()
    if len(email) > 254 or not _EMAIL.match(email):
        raise ValidationFailed(f"'{email}' is not a valid email address")
    return email.lower()


def normalize_couple_name(name: str) -> str:
    name = name.strip()
    if not name:
        raise ValidationFailed("coupleName must not be empty")
    if len(name) > 200:
        raise ValidationFailed("coupleName must be at most 200 characters")
    return name


def normalize_phone(phone: str | None) -> str | None:
    phone = (phone or "").strip()
    if not phone:
        return None
    if len(phone) > 40:
        raise ValidationFailed("phone must be at most 40 characters")
    return phone


@dataclass(frozen=True)
class Customer:
    id: str
    email: str
    name: str
    phone: str | None
