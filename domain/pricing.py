"""What a checkout costs, computed from catalog prices only."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from domain.booking import BookedAddOn
from domain.catalog import Package
from domain.errors import ValidationFailed
from domain.money import Money
from domain.text import shown


@dataclass(frozen=True)
class Quote:
    package_price: Money
    add_ons: tuple[BookedAddOn, ...]

    @property
    def total(self) -> Money:
        total = self.package_price
        for add_on in self.add_ons:
            total = total + add_on.unit_price
        return total


def quote(package: Package, add_on_ids: Sequence[str]) -> Quote:
    """Price a package with the chosen add-ons; an add-on not on sale for it is refused."""
    if len(set(add_on_ids)) != len(add_on_ids):
        raise ValidationFailed("addOnIds must not repeat an add-on")
    on_sale = {a.id: a for a in package.active_add_ons}
    chosen = []
    for add_on_id in add_on_ids:
        add_on = on_sale.get(add_on_id)
        if add_on is None:
            raise ValidationFailed(f"add-on '{shown(add_on_id)}' is not offered with {package.slug}")
        chosen.append(BookedAddOn(add_on.id, add_on.title, add_on.price))
    return Quote(package.price, tuple(chosen))
