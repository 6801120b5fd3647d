"""The search `python -m tracing_ui` types into Phoenix, and the spans it expects to find."""

from __future__ import annotations

import datetime as dt

import pytest

from tracing_ui.journey import expected_spans, new_journey_id, span_filter, valid_journey_id


def test_the_search_compares_the_journey_attribute_with_the_quoted_id() -> None:
    assert span_filter("booking.correlation_id", "follow-1.a_b") == \
        "booking.correlation_id == 'follow-1.a_b'"


@pytest.mark.parametrize("journey_id", ["x' or '1' == '1", "a b", "", "x" * 129])
def test_an_id_the_service_would_replace_is_refused_rather_than_searched(journey_id: str) -> None:
    with pytest.raises(ValueError):
        span_filter("booking.correlation_id", journey_id)


def test_an_attribute_that_is_not_a_dotted_name_is_refused() -> None:
    with pytest.raises(ValueError):
        span_filter("booking.correlation_id or True", "follow-1")


def test_a_new_journey_id_is_one_the_service_keeps_as_its_request_id() -> None:
    journey_id = new_journey_id(dt.datetime(2026, 12, 7, 8, 0, tzinfo=dt.UTC))
    assert journey_id.startswith("follow-20261207T080000-")
    assert valid_journey_id(journey_id) == journey_id
    assert new_journey_id() != new_journey_id()


@pytest.mark.parametrize(("preset", "webhook_route"), [
    ("mock", "POST /v1/dev/simulate-checkout-completed"),
    ("real", "POST /v1/webhooks/stripe"),
])
def test_a_booking_is_expected_in_its_checkout_webhook_and_relay_spans(
        preset: str, webhook_route: str) -> None:
    spans = expected_spans(preset)
    assert spans[:3] == ("POST /v1/bookings/checkout", "command CreateCheckout", webhook_route)
    assert {"stripe event", "outbox BookingPaid", "mail.send", "calendar.block"} <= set(spans)
