"""The Stripe session metadata: written at checkout, the only input the webhook trusts.

Beyond SPEC's keys it carries the package and add-on unit prices captured at checkout, so a
catalog edit between checkout and payment cannot change what the booking records.

Stripe keeps at most 50 keys of at most 500 characters each, so the two comma-joined add-on
lists continue, when long, in `addOnIds2`, `addOnIds3`, ... (cut at commas); a choice too big
even for that is refused at checkout, before anything is held.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from domain.customer import normalize_couple_name, normalize_email, normalize_phone
from domain.errors import DomainError, ValidationFailed, WebhookRejected
from domain.event_date import EventDate
from domain.money import Money
from domain.pricing import Quote
from domain.text import shown, storable_text, unstorable

# Stripe's limits on a session's metadata.
MAX_KEYS = 50
MAX_VALUE = 500


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
        """Raises `ValidationFailed` when the choice cannot fit in Stripe's metadata."""
        metadata = {
            "packageId": self.package_id,
            "eventDate": str(self.event_date),
            "email": self.email,
            "coupleName": self.couple_name,
            "phone": self.phone or "",
            **_chunked("addOnIds", self.add_on_ids),
            **_chunked("addOnPriceCents", [str(p.cents) for p in self.add_on_prices]),
            "packagePriceCents": str(self.package_price.cents),
            "totalCents": str(self.total.cents),
            "traceparent": self.traceparent or "",
            "correlationId": self.correlation_id,
        }
        if len(metadata) > MAX_KEYS or any(len(v) > MAX_VALUE for v in metadata.values()):
            raise ValidationFailed("too many add-ons for one checkout")
        return metadata

    @classmethod
    def from_stripe(cls, metadata: Mapping[str, Any] | None) -> CheckoutMetadata:
        """Parse and re-validate; anything missing or malformed is `WebhookRejected`."""
        if not isinstance(metadata, Mapping):
            raise WebhookRejected("session metadata is missing")
        try:
            # Every value is checked as checkout checked it, to the column's length: a value
            # PostgreSQL cannot store would fail the booking on every retry.
            add_on_ids = tuple(storable_text(a, "addOnIds", 64) for a in
                               _split(_joined(metadata, "addOnIds")))
            prices = tuple(Money(_int(p)) for p in _split(_joined(metadata, "addOnPriceCents")))
            if prices and len(prices) != len(add_on_ids):
                raise WebhookRejected("addOnPriceCents does not match addOnIds")
            return cls(
                package_id=storable_text(_required(metadata, "packageId"), "packageId", 64),
                event_date=EventDate.parse(_required(metadata, "eventDate")),
                email=normalize_email(_required(metadata, "email")),
                couple_name=normalize_couple_name(_required(metadata, "coupleName")),
                phone=normalize_phone(metadata.get("phone")),
                add_on_ids=add_on_ids,
                add_on_prices=prices,
                package_price=Money(_int(metadata.get("packagePriceCents") or "0")),
                total=Money(_int(_required(metadata, "totalCents"))),
                # Only for tracing: a value that is not usable is dropped, not fatal.
                traceparent=_optional(metadata, "traceparent", 55) or None,
                correlation_id=_optional(metadata, "correlationId", 128),
            )
        except WebhookRejected:
            raise
        except DomainError as exc:
            raise WebhookRejected(f"invalid session metadata: {exc.message}") from None


def _chunked(key: str, parts: list[str] | tuple[str, ...]) -> dict[str, str]:
    """`key`, then `key2`, `key3`...: each a comma-joined run of whole parts, <= MAX_VALUE."""
    chunks: list[str] = []
    current = ""
    for part in parts:
        joined = f"{current},{part}" if current else part
        if len(joined) > MAX_VALUE and current:
            chunks.append(current)
            joined = part
        current = joined
    chunks.append(current)
    return {(key if n == 0 else f"{key}{n + 1}"): chunk for n, chunk in enumerate(chunks)}


def _joined(metadata: Mapping[str, Any], key: str) -> str:
    values = [metadata.get(key)]
    n = 2
    while isinstance(metadata.get(f"{key}{n}"), str):
        values.append(metadata[f"{key}{n}"])
        n += 1
    return ",".join(v for v in values if isinstance(v, str) and v)


def _required(metadata: Mapping[str, Any], key: str) -> str:
    value = metadata.get(key)
    if not isinstance(value, str) or not value.strip():
        raise WebhookRejected(f"session metadata lacks {key}")
    return value


def _optional(metadata: Mapping[str, Any], key: str, max_len: int) -> str:
    value = metadata.get(key)
    if not isinstance(value, str) or len(value) > max_len or unstorable(value):
        return ""
    return value


def _split(value: Any) -> tuple[str, ...]:
    if not isinstance(value, str):
        return ()
    return tuple(part for part in value.split(",") if part)


def _int(value: Any) -> int:
    try:
        return int(str(value))
    except ValueError:
        raise WebhookRejected(f"'{shown(value)}' is not a whole number of cents") from None
