"""Packages and their add-ons: what a couple can buy."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

from domain.errors import StaleVersion, ValidationFailed
from domain.money import Money

_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


def _text(value: str, what: str, max_len: int, *, required: bool = True) -> str:
    value = value.strip()
    if required and not value:
        raise ValidationFailed(f"{what} must not be empty")
    if len(value) > max_len:
        raise ValidationFailed(f"{what} must be at most {max_len} characters")
    return value


@dataclass(frozen=True)
class AddOn:
    id: str
    package_id: str
    title: str
    description: str
    price: Money
    photo_url: str | None = None
    active: bool = True

    @classmethod
    def create(
        cls, id: str, package_id: str, title: str, description: str, price_cents: int,
        photo_url: str | None = None,
    ) -> AddOn:
        return cls(
            id=id, package_id=package_id, title=_text(title, "title", 200),
            description=_text(description, "description", 5000, required=False),
            price=Money(price_cents), photo_url=photo_url or None,
        )


@dataclass(frozen=True)
class Package:
    id: str
    slug: str
    title: str
    description: str
    price: Money
    photo_url: str | None = None
    active: bool = True
    version: int = 1
    add_ons: tuple[AddOn, ...] = field(default=())

    @classmethod
    def create(
        cls, id: str, slug: str, title: str, description: str, price_cents: int,
        photo_url: str | None = None,
    ) -> Package:
        if not _SLUG.match(slug) or len(slug) > 100:
            raise ValidationFailed("slug must be lowercase letters, digits and single dashes")
        return cls(
            id=id, slug=slug, title=_text(title, "title", 200),
            description=_text(description, "description", 5000, required=False),
            price=Money(price_cents), photo_url=photo_url or None,
        )

    def revise(
        self, *, expected_version: int, slug: str, title: str, description: str,
        price_cents: int, photo_url: str | None, active: bool,
    ) -> Package:
        """A new revision; refuses an edit based on an older version (no lost update)."""
        if expected_version != self.version:
            raise StaleVersion(f"package {self.slug}")
        fresh = Package.create(self.id, slug, title, description, price_cents, photo_url)
        return replace(fresh, active=active, version=self.version + 1, add_ons=self.add_ons)

    @property
    def active_add_ons(self) -> tuple[AddOn, ...]:
        return tuple(a for a in self.add_ons if a.active)
