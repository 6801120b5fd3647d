"""The Stripe session metadata: written at checkout, the only input the webhook trusts.

Beyond SPEC's keys it carries the package and add-on unit prices captured at checkout, so a
catalog edit between checkout and payment cannot change what the booking records.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from domain.customer import normalize_couple_name, normalize_email, normalize_phone
from domain.errors import DomainError, WebhookRejected
from domain.event_date import EventDate
from domain.money import Money
from domain.pricing import Quote


@dataclass(frozen=True)
class CheckoutMetadata:
    package_id: str
    event_date: EventDate
    email: str
    couple_name: str
    phone: str | None
    add_on_ids: tuple[str, ...]
    add_on_prices: tuple[Money, ...]
    package_price: Money
    total: Money
    traceparent: str | None
    correlation_id: str

    @classmethod
    def for_quote(
        cls, package_id: str, event_date: EventDate, email: str, couple_name: str,
        phone: str | None, quote: Quote, traceparent: str | None, correlation_id: str,
    ) -> CheckoutMetadata:
        return cls(
            package_id=package_id, event_date=event_date, email=email, couple_name=couple_name,
            phone=phone, add_on_ids=tuple(a.add_on_id for a in quote.add_ons),
            add_on_prices=tuple(a.unit_price for a in quote.add_ons),
            package_price=quote.package_price, total=quote.total, traceparent=traceparent,
            correlation_id=correlation_id,
        )

    def to_stripe(self) -> dict[str, str]:
        return {
            "packageId": self.package_id,
            "eventDate": str(self.event_date),
            "email": self.email,
            "coupleName": self.couple_name,
            "phone": self.phone or "",
            "addOnIds": ",".join(self.add_on_ids),
            "addOnPriceCents": ",".join(str(p.cents) for p in self.add_on_prices),
            "packagePriceCents": str(self.package_price.cents),
            "totalCents": str(self.total.cents),
            "traceparent": self.traceparent or "",
            "correlationId": self.correlation_id,
        }

    @classmethod
    def from_stripe(cls, metadata: Mapping[str, Any] | None) -> CheckoutMetadata:
        """Parse and re-validate; anything missing or malformed is `WebhookRejected`."""
        if not isinstance(metadata, Mapping):
            raise WebhookRejected("session metadata is missing")
        try:
            add_on_ids = _split(metadata.get("addOnIds"))
            prices = tuple(Money(_int(p)) for p in _split(metadata.get("addOnPriceCents")))
            if prices and len(prices) != len(add_on_ids):
                raise WebhookRejected("addOnPriceCents does not match addOnIds")
            return cls(
                package_id=_required(metadata, "packageId"),
                event_date=EventDate.parse(_required(metadata, "eventDate")),
                email=normalize_email(_required(metadata, "email")),
                couple_name=normalize_couple_name(_required(metadata, "coupleName")),
                phone=normalize_phone(metadata.get("phone")),
                add_on_ids=add_on_ids,
                add_on_prices=prices,
                package_price=Money(_int(metadata.get("packagePriceCents") or "0")),
                total=Money(_int(_required(metadata, "totalCents"))),
                traceparent=str(metadata.get("traceparent") or "") or None,
                correlation_id=str(metadata.get("correlationId") or ""),
            )
        except WebhookRejected:
            raise
        except DomainError as exc:
            raise WebhookRejected(f"invalid session metadata: {exc.message}") from None


def _required(metadata: Mapping[str, Any], key: str) -> str:
    value = metadata.get(key)
    if not isinstance(value, str) or not value.strip():
        raise WebhookRejected(f"session metadata lacks {key}")
    return value


def _split(value: Any) -> tuple[str, ...]:
    if not isinstance(value, str):
        return ()
    return tuple(part for part in value.split(",") if part)


def _int(value: Any) -> int:
    try:
        return int(str(value))
    except ValueError:
        raise WebhookRejected(f"'{value}' is not a whole number of cents") from None
