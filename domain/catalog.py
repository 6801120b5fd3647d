"""Packages and their add-ons: what a couple can buy."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

from domain.errors import StaleVersion, ValidationFailed
from domain.money import Money
from domain.text import storable_text

_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


def _title(value: str) -> str:
    return storable_text(value, "title", 200)


def _description(value: str) -> str:
    # Written in paragraphs: line breaks and tabs are kept.
    return storable_text(value, "description", 5000, required=False, multiline=True)


# A photo link is shown to couples in an <img>: only web links, never `javascript:` or
# `data:`. Plain http is for local trials (the mock preset); a real site serves https.
HTTPS_ONLY = frozenset({"https"})
HTTP_OR_HTTPS = frozenset({"https", "http"})
PHOTO_URL_MAX = 2048


def normalize_photo_url(value: str | None, schemes: frozenset[str] = HTTPS_ONLY) -> str | None:
    if value is None:
        return None
    url = storable_text(value, "photoUrl", PHOTO_URL_MAX, required=False)
    if not url:
        return None
    scheme, sep, rest = url.partition("://")
    host = rest.split("/", 1)[0]
    if not sep or scheme.lower() not in schemes or not host or any(c.isspace() for c in url):
        wanted = " or ".join(f"{s}://" for s in sorted(schemes, reverse=True))
        raise ValidationFailed(f"photoUrl must be an {wanted} link with a host")
    return url


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
        photo_url: str | None = None, photo_schemes: frozenset[str] = HTTPS_ONLY,
    ) -> AddOn:
        return cls(
            id=id, package_id=package_id, title=_title(title), description=_description(description),
            price=Money(price_cents), photo_url=normalize_photo_url(photo_url, photo_schemes),
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
        photo_url: str | None = None, photo_schemes: frozenset[str] = HTTPS_ONLY,
    ) -> Package:
        # fullmatch: `$` alone would let a trailing line break through.
        if not isinstance(slug, str) or not _SLUG.fullmatch(slug) or len(slug) > 100:
            raise ValidationFailed("slug must be lowercase letters, digits and single dashes")
        return cls(
            id=id, slug=slug, title=_title(title), description=_description(description),
            price=Money(price_cents), photo_url=normalize_photo_url(photo_url, photo_schemes),
        )

    def revise(
        self, *, expected_version: int, slug: str, title: str, description: str,
        price_cents: int, photo_url: str | None, active: bool,
        photo_schemes: frozenset[str] = HTTPS_ONLY,
    ) -> Package:
        """A new revision; refuses an edit based on an older version (no lost update)."""
        if expected_version != self.version:
            raise StaleVersion(f"package {self.slug}")
        fresh = Package.create(self.id, slug, title, description, price_cents, photo_url,
                               photo_schemes)
        return replace(fresh, active=active, version=self.version + 1, add_ons=self.add_ons)

    @property
    def active_add_ons(self) -> tuple[AddOn, ...]:
        return tuple(a for a in self.add_ons if a.active)
