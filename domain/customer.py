"""A couple, known by email; upserted on each paid booking."""

from __future__ import annotations

import re
from dataclasses import dataclass

from domain.errors import ValidationFailed
from domain.text import shown, storable_text

# Deliberately plain: one @, a dot in the domain, no spaces. Stripe checks deliverability.
_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]{2,}$")


# The lengths are those of the customer and booking columns (adapters/piccolo/tables.py).
def normalize_email(email: str) -> str:
    # Lower-cased first: some letters grow ("İ" is two characters lower-cased).
    email = storable_text(email, "email", 254).lower()
    if len(email) > 254 or not _EMAIL.match(email):
        raise ValidationFailed(f"'{shown(email)}' is not a valid email address")
    return email


def normalize_couple_name(name: str) -> str:
    return storable_text(name, "coupleName", 200)


def normalize_phone(phone: str | None) -> str | None:
    if phone is None:
        return None
    return storable_text(phone, "phone", 40, required=False) or None


@dataclass(frozen=True)
class Customer:
    id: str
    email: str
    name: str
    phone: str | None
