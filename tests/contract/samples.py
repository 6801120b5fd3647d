"""Values the contract tests build their rows from: fixed aware UTC instants, and small
builders that fill in what a test does not care about."""

from __future__ import annotations

import datetime as dt

from application.ports.unit_of_work import UnitOfWorkFactory
from domain.booking import BookedAddOn, Booking, BookingStatus
from domain.catalog import AddOn, Package
from domain.event_date import EventDate
from domain.hold import DateHold
from domain.money import Money
from domain.webhook_event import WebhookEvent, WebhookStatus

NOW = dt.datetime(2026, 3, 1, 12, 0, tzinfo=dt.UTC)
DAY = EventDate(dt.date(2026, 6, 20))
LEASE = dt.timedelta(minutes=2)
PACKAGE_ID = "pkg_sunrise"


def at(minutes: int) -> dt.datetime:
    """NOW moved by whole minutes (microsecond 0, so both stores keep it exactly)."""
    return NOW + dt.timedelta(minutes=minutes)


def day(offset: int) -> EventDate:
    return DAY.plus_days(offset)


def package(
    id: str = PACKAGE_ID, slug: str = "sunrise", title: str = "Sunrise", *,
    active: bool = True, version: int = 1, price_cents: int = 100_000,
) -> Package:
    return Package(id=id, slug=slug, title=title, description="At dawn on the ridge.",
                   price=Money(price_cents), photo_url=None, active=active, version=version)


def add_on(id: str, package_id: str = PACKAGE_ID, title: str = "Flowers", *,
           price_cents: int = 5_000, active: bool = True) -> AddOn:
    return AddOn(id=id, package_id=package_id, title=title, description="",
                 price=Money(price_cents), photo_url="https://example.com/a.jpg", active=active)


def booking(
    id: str, session_id: str | None = None, *, date: EventDate = DAY,
    status: BookingStatus = BookingStatus.PAID, created_at: dt.datetime = NOW,
    package_id: str = PACKAGE_ID, payment_intent_id: str | None = None,
    add_ons: tuple[BookedAddOn, ...] = (),
) -> Booking:
    session = session_id or f"cs_{id}"
    return Booking(
        id=id, package_id=package_id, couple_name="Ada & Grace", email="ada@example.com",
        phone="+1 555 0100", event_date=date, add_ons=add_ons,
        total=Money(100_000 + sum(a.unit_price.cents for a in add_ons)), status=status,
        created_at=created_at, session_id=session,
        payment_intent_id=payment_intent_id or f"pi_{id}", correlation_id=f"corr_{id}",
    )


def hold(session_id: str, *, date: EventDate = DAY, expires_at: dt.datetime | None = None,
         package_id: str = PACKAGE_ID) -> DateHold:
    return DateHold(session_id=session_id, event_date=date,
                    expires_at=expires_at or at(30), correlation_id=f"corr_{session_id}",
                    package_id=package_id)


def webhook_event(event_id: str, *, created_at: dt.datetime = NOW,
                  status: WebhookStatus = WebhookStatus.PENDING) -> WebhookEvent:
    return WebhookEvent(
        event_id=event_id, event_type="checkout.session.completed",
        raw_payload=f'{{"id": "{event_id}"}}', status=status, attempts=1, last_error=None,
        processed_at=None, created_at=created_at, claimed_until=created_at + LEASE,
    )


async def seed_package(uow: UnitOfWorkFactory, *packages: Package) -> None:
    """Commit the packages (the sample one by default) that bookings and holds point at."""
    async with uow() as tx:
        for p in packages or (package(),):
            await tx.packages.add(p)
        await tx.commit()
