"""One booking's journey as a tracing UI shows it: its id, the search that finds it, and the
spans that search must list.

No I/O and no third-party imports here, so the unit tests can check it without the UI, the
browser or the `tracing-ui` extra installed.
"""

from __future__ import annotations

import datetime as dt
import re
import secrets

JOURNEY_ATTRIBUTE = "booking.correlation_id"
"""The span attribute every span made for a booking carries (SPEC §7): the X-Request-ID of
the checkout that started it."""

PROJECT = "elope"
PROJECT_RESOURCE = f"openinference.project.name={PROJECT}"
"""Phoenix files spans under the project named by this resource attribute ("default"
without it). The service takes it from OTEL_RESOURCE_ATTRIBUTES, like any OTel SDK."""

# What the service accepts as an X-Request-ID (SPEC §7); anything else it replaces.
_REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{1,128}")
_ATTRIBUTE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*")

CHECKOUT = ("POST /v1/bookings/checkout", "command CreateCheckout")
WEBHOOK_ROUTE = {
    # The mock preset's stand-in for Stripe: the route runs the path a signed webhook takes.
    "mock": "POST /v1/dev/simulate-checkout-completed",
    "real": "POST /v1/webhooks/stripe",
}
WEBHOOK = ("command RecordStripeEvent", "stripe event")
# The outbox relay's trace: the confirmation email and the calendar day, after the answer.
RELAY = ("outbox BookingPaid", "subscriber email_couple", "mail.send",
         "subscriber block_calendar_day", "calendar.block")


def new_journey_id(now: dt.datetime | None = None) -> str:
    """A fresh X-Request-ID for the checkout, readable in the UI and unique per run."""
    stamp = (now or dt.datetime.now(dt.UTC)).strftime("%Y%m%dT%H%M%S")
    return f"follow-{stamp}-{secrets.token_hex(3)}"


def valid_journey_id(value: str) -> str:
    """`value` if the service would keep it as the checkout's X-Request-ID, else ValueError:
    a replaced id would never be found."""
    if not _REQUEST_ID.fullmatch(value):
        raise ValueError(f"{value!r} is not an X-Request-ID the service keeps:"
                         " 1-128 of A-Z a-z 0-9 . _ -")
    return value


def span_filter(attribute: str, journey_id: str) -> str:
    """Phoenix's span filter (a Python expression) for spans whose `attribute` is the id.

    A dotted name that is not one of Phoenix's own fields reads as an attribute path. The id
    needs no escaping inside the quotes: X-Request-ID characters exclude quotes and
    backslashes."""
    if not _ATTRIBUTE.fullmatch(attribute):
        raise ValueError(f"{attribute!r} is not a dotted attribute name")
    return f"{attribute} == '{valid_journey_id(journey_id)}'"


def expected_spans(preset: str) -> tuple[str, ...]:
    """The span names one paid booking makes, in the order it makes them."""
    return (*CHECKOUT, WEBHOOK_ROUTE[preset], *WEBHOOK, *RELAY)
