"""The demo catalog: what `elope seed` writes and the mock preset starts with."""

from __future__ import annotations

import datetime as dt

from application import commands as c
from application.messaging.bus import MessageBus
from application.ports.unit_of_work import UnitOfWorkFactory
from domain.catalog import Package

PACKAGES = [
    ("sunrise-cliffs", "Sunrise on the Cliffs",
     "A quiet ceremony at dawn above the sea: officiant, two hours of photography, bouquet.",
     180_000,
     [("Extra hour of photography", "Sixty more minutes with our photographer.", 35_000),
      ("Champagne toast", "A chilled bottle and two glasses at the cliff edge.", 9_000)]),
    ("forest-vows", "Vows in the Old Forest",
     "An afternoon among the redwoods: officiant, photography, live violinist.",
     240_000,
     [("Hair and makeup", "A stylist for the couple, two hours before.", 45_000),
      ("Picnic for two", "A seasonal picnic after the ceremony.", 15_000),
      ("Drone footage", "A short film of the ceremony from above.", 60_000)]),
    ("city-hall-chic", "City Hall Chic",
     "The license, the clerk, a photographer and a celebratory lunch downtown.",
     95_000,
     [("Vintage car", "A 1960s convertible between city hall and lunch.", 30_000),
      ("Bouquet and boutonniere", "Seasonal flowers from a local florist.", 12_000)]),
]


async def seed_demo_catalog(bus: MessageBus, uow: UnitOfWorkFactory, today: dt.date) -> int:
    """Create the demo packages that do not exist yet, and one blackout; returns how many
    packages were created. Running it twice changes nothing the second time."""
    created = 0
    for slug, title, description, price, add_ons in PACKAGES:
        async with uow() as tx:
            existing = await tx.packages.get_by_slug(slug)
        if existing is not None:
            continue
        package: Package = await bus.handle(c.CreatePackage(
            slug=slug, title=title, description=description, price_cents=price, photo_url=None,
            correlation_id="seed"))
        for add_on_title, add_on_description, add_on_price in add_ons:
            await bus.handle(c.AddAddOn(
                package_id=package.id, title=add_on_title, description=add_on_description,
                price_cents=add_on_price, photo_url=None, correlation_id="seed"))
        created += 1
    async with uow() as tx:
        blackouts = await tx.blackouts.list_all()
    if not blackouts:
        # Christmas of next year: always in the future, inside the booking horizon.
        await bus.handle(c.AddBlackout(date=f"{today.year + 1}-12-25",
                                       reason="Studio closed for the holidays",
                                       correlation_id="seed"))
    return created
