"""The Stripe session metadata: what checkout writes is exactly what the webhook reads back,
and metadata that cannot be trusted is rejected."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from application.payments.checkout_metadata import CheckoutMetadata
from application.payments.session_object import paid_session_from
from domain.booking import BookedAddOn
from domain.catalog import AddOn
from domain.errors import ValidationFailed, WebhookRejected
from domain.event_date import EventDate
from domain.money import Money
from domain.paid_session import PaidSession
from domain.pricing import Quote

QUOTE = Quote(Money(180_000), (BookedAddOn("add_photos", "Extra hour", Money(35_000)),
                               BookedAddOn("add_toast", "Champagne", Money(9_000))))


def metadata(**changes: Any) -> CheckoutMetadata:
    fields: dict[str, Any] = dict(
        package_id="pkg_1", event_date=EventDate(dt.date(2026, 6, 20)),
        email="ada@example.com", couple_name="Ada & Grace", phone="+1 555 0100", quote=QUOTE,
        traceparent="00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
        correlation_id="req-123",
    )
    fields.update(changes)
    return CheckoutMetadata.for_quote(**fields)


def stripe_metadata(**changes: str) -> dict[str, str]:
    return {**metadata().to_stripe(), **changes}


def test_metadata_survives_the_round_trip_through_stripe() -> None:
    original = metadata()
    assert CheckoutMetadata.from_stripe(original.to_stripe()) == original


def test_metadata_without_phone_add_ons_or_trace_survives_the_round_trip() -> None:
    original = metadata(phone=None, quote=Quote(Money(95_000), ()), traceparent=None)
    assert CheckoutMetadata.from_stripe(original.to_stripe()) == original


def test_stripe_metadata_carries_every_key_the_webhook_needs_as_text() -> None:
    written = metadata().to_stripe()
    assert written == {
        "packageId": "pkg_1", "eventDate": "2026-06-20", "email": "ada@example.com",
        "coupleName": "Ada & Grace", "phone": "+1 555 0100", "addOnIds": "add_photos,add_toast",
        "addOnPriceCents": "35000,9000", "packagePriceCents": "180000", "totalCents": "224000",
        "traceparent": "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
        "correlationId": "req-123",
    }


def paid(metadata: dict[str, str]) -> PaidSession:
    return paid_session_from({"id": "cs_1", "amount_total": int(metadata["totalCents"]),
                              "payment_intent": "pi_1", "metadata": metadata}, "req-123")


def test_captured_unit_prices_win_over_todays_catalog() -> None:
    today = [AddOn.create("add_photos", "pkg_1", "Extra hour", "", 99_999)]
    assert paid(stripe_metadata()).booked_add_ons(today) == (
        BookedAddOn("add_photos", "Extra hour", Money(35_000)),
        BookedAddOn("add_toast", "(add-on no longer offered)", Money(9_000)),
    )


def test_without_captured_prices_the_catalog_price_is_used() -> None:
    session = paid(stripe_metadata(addOnIds="add_photos", addOnPriceCents=""))
    today = [AddOn.create("add_photos", "pkg_1", "Extra hour", "", 40_000)]
    assert session.booked_add_ons(today) == (BookedAddOn("add_photos", "Extra hour", Money(40_000)),)


@pytest.mark.parametrize("broken", [
    {"packageId": ""},
    {"eventDate": "20-06-2026"},
    {"eventDate": ""},
    {"email": "not-an-email"},
    {"coupleName": "   "},
    {"coupleName": "x" * 201},
    {"totalCents": "12.50"},
    {"totalCents": "-100"},
    {"totalCents": ""},
    {"addOnPriceCents": "35000"},  # two add-ons, one price
    {"addOnPriceCents": "35000,abc"},
    {"packagePriceCents": "lots"},
])
def test_bad_metadata_is_rejected(broken: dict[str, str]) -> None:
    with pytest.raises(WebhookRejected):
        CheckoutMetadata.from_stripe(stripe_metadata(**broken))


@pytest.mark.parametrize("key", ["packageId", "eventDate", "email", "coupleName", "totalCents"])
def test_metadata_missing_a_required_key_is_rejected(key: str) -> None:
    incomplete = stripe_metadata()
    del incomplete[key]
    with pytest.raises(WebhookRejected, match=key):
        CheckoutMetadata.from_stripe(incomplete)


@pytest.mark.parametrize("absent", [None, "packageId=pkg_1", ["pkg_1"]])
def test_a_session_without_a_metadata_object_is_rejected(absent: Any) -> None:
    with pytest.raises(WebhookRejected):
        CheckoutMetadata.from_stripe(absent)


def many_add_ons(count: int) -> Quote:
    return Quote(Money(100_000), tuple(
        BookedAddOn(f"ao_{n:032x}", f"Add-on {n}", Money(1_000 + n)) for n in range(count)))


def test_many_add_ons_continue_in_numbered_keys_within_stripes_limits_and_read_back() -> None:
    original = metadata(quote=many_add_ons(200))
    sent = original.to_stripe()
    assert len(sent) <= 50
    assert all(len(key) <= 40 and len(value) <= 500 for key, value in sent.items())
    assert {"addOnIds2", "addOnPriceCents2"} <= set(sent)
    assert CheckoutMetadata.from_stripe(sent) == original
    # Each chunk is cut at a comma: no id is split across two keys.
    assert all(len(part) == 35 for key in sent if key.startswith("addOnIds")
               for part in sent[key].split(","))


def test_a_choice_too_big_for_stripes_metadata_is_refused_before_anything_is_sent() -> None:
    with pytest.raises(ValidationFailed, match="too many add-ons"):
        metadata(quote=many_add_ons(1_000)).to_stripe()


def charged(**session: Any) -> PaidSession:
    base = {"id": "cs_1", "amount_total": QUOTE.total.cents, "currency": "usd",
            "payment_intent": "pi_1", "metadata": metadata().to_stripe()}
    return paid_session_from({**base, **session}, "req-1")


def test_a_session_charged_as_priced_has_no_mismatch() -> None:
    assert charged().price_mismatch() is None
    assert charged(currency="USD").price_mismatch() is None


@pytest.mark.parametrize(("changes", "why"), [
    ({"amount_total": QUOTE.total.cents - 1}, "charged 223999 usd, checkout priced 224000 usd"),
    ({"currency": "eur"}, "charged 224000 eur, checkout priced 224000 usd"),
])
def test_a_session_charged_another_amount_or_currency_says_how(
    changes: dict[str, Any], why: str,
) -> None:
    assert charged(**changes).price_mismatch() == why


def test_an_amount_no_money_can_hold_is_rejected() -> None:
    with pytest.raises(WebhookRejected, match="not a usable amount"):
        charged(amount_total=-5)
