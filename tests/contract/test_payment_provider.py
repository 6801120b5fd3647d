"""The PaymentProvider contract, run on the in-process stand-in and on the real Stripe adapter
talking HTTP to FakeStripe: what the application may rely on holds for both.

The real adapter's exact requests and its error mapping are in test_stripe_checkout_http.py.
"""

from __future__ import annotations

import datetime as dt
import math
import time
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import stripe

from adapters.stand_ins.local_checkout import LocalCheckout
from adapters.stripe.stripe_checkout import StripeCheckout
from adapters.stripe.webhook_verification import signed_event
from application.ports.payment import CheckoutRequest, LineItem, PaymentProvider
from domain.errors import PaymentProviderFailed, WebhookRejected
from tests.fakes.stripe_server import FakeStripePort, fake_stripe_port

# stripe 16 hands httpx its form body as `data=str`, which httpx deprecates; not ours to fix.
pytestmark = pytest.mark.filterwarnings("ignore:Use 'content=<...>':DeprecationWarning")

SECRET_KEY = "sk_test_contract_51Hx0123456789"
WEBHOOK_SECRET = "whsec_contract_0123456789"
SUCCESS_URL = "https://elope.example/checkout/success?session_id={CHECKOUT_SESSION_ID}"
CANCEL_URL = "https://elope.example/checkout/canceled"
METADATA = {"packageId": "pkg_sunrise", "eventDate": "2026-06-20", "email": "ana@example.com",
            "coupleName": "Ana & Bo", "totalCents": "125000", "note": "Ünïcode & spaces ok"}


def checkout_request(metadata: dict[str, str] | None = None) -> CheckoutRequest:
    return CheckoutRequest(
        line_items=(LineItem("Sunrise on the ridge", 100_000), LineItem("Flowers", 25_000)),
        customer_email="ana@example.com",
        expires_at=dt.datetime.now(dt.UTC) + dt.timedelta(hours=1),
        metadata=METADATA if metadata is None else metadata,
    )


@dataclass
class Provider:
    """The port under test and the provider-side controls a test needs (the couple pays,
    Stripe reports a refund, what was refunded)."""

    port: PaymentProvider
    pay: Callable[[str], tuple[bytes, str]]
    refund_event: Callable[[str, int], tuple[bytes, str]]
    refunds: Callable[[], dict[str, dict[str, Any]]]


@pytest.fixture(scope="module")
def stripe_port() -> Iterator[tuple[FakeStripePort, str]]:
    with fake_stripe_port() as served:
        yield served


@pytest.fixture(params=["stand-in", "stripe-over-http"])
async def provider(request: pytest.FixtureRequest) -> AsyncIterator[Provider]:
    if request.param == "stand-in":
        local = LocalCheckout(WEBHOOK_SECRET, "http://localhost:8000",
                              success_url=SUCCESS_URL, cancel_url=CANCEL_URL)
        yield Provider(local, local.pay, local.refund_event, lambda: local.refunds)
        return
    port, base_url = request.getfixturevalue("stripe_port")
    fake = port.fresh(SECRET_KEY, WEBHOOK_SECRET)
    adapter = StripeCheckout(SECRET_KEY, WEBHOOK_SECRET, success_url=SUCCESS_URL,
                             cancel_url=CANCEL_URL, api_base=base_url,
                             timeout_seconds=5, max_network_retries=0)
    yield Provider(adapter, fake.pay, fake.refund_event, lambda: fake.refunds)
    await adapter.close()


async def test_a_new_session_is_open_unpaid_and_holds_what_was_asked(provider: Provider) -> None:
    request = checkout_request()
    session = await provider.port.create_checkout_session(request)
    state = await provider.port.retrieve_session(session.session_id)

    assert session.url.startswith("http")
    assert int(session.expires_at.timestamp()) == int(request.expires_at.timestamp())
    assert (state.session_id, state.status, state.payment_status) == (
        session.session_id, "open", "unpaid")
    seen = state.data_object
    assert seen["id"] == session.session_id
    assert seen["metadata"] == METADATA
    assert (seen["amount_total"], seen["currency"]) == (125_000, "usd")
    assert seen["customer_email"] == "ana@example.com"
    assert seen["expires_at"] == int(request.expires_at.timestamp())
    assert (seen["success_url"], seen["cancel_url"]) == (SUCCESS_URL, CANCEL_URL)
    assert seen["payment_intent"] is None


@pytest.mark.parametrize("metadata", [
    {f"k{i}": "v" for i in range(51)}, {"k" * 41: "v"}, {"k": "v" * 501},
], ids=["51-keys", "41-char-key", "501-char-value"])
async def test_metadata_beyond_stripes_limits_is_refused(
    provider: Provider, metadata: dict[str, str],
) -> None:
    with pytest.raises(PaymentProviderFailed) as refused:
        await provider.port.create_checkout_session(checkout_request(metadata))
    assert refused.value.message == "the payment provider refused the request"


async def test_metadata_at_stripes_limits_is_taken_whole(provider: Provider) -> None:
    metadata = {f"{i:02d}".ljust(40, "k"): "v" * 500 for i in range(50)}
    session = await provider.port.create_checkout_session(checkout_request(metadata))
    state = await provider.port.retrieve_session(session.session_id)
    assert state.data_object["metadata"] == metadata


async def test_paying_completes_the_session_as_its_webhook_says(provider: Provider) -> None:
    session = await provider.port.create_checkout_session(checkout_request())
    raw, signature = provider.pay(session.session_id)

    event = provider.port.verify_webhook(raw, signature)
    state = await provider.port.retrieve_session(session.session_id)

    assert (state.status, state.payment_status) == ("complete", "paid")
    assert str(state.data_object["payment_intent"]).startswith("pi_")
    assert event.event_type == "checkout.session.completed"
    # The reconciler reads the retrieved session exactly as the webhook handler reads this.
    assert event.data_object == state.data_object
    assert provider.pay(session.session_id)[0] == raw  # paying again: a redelivery


async def test_one_idempotency_key_refunds_once(provider: Provider) -> None:
    session = await provider.port.create_checkout_session(checkout_request())
    provider.pay(session.session_id)
    intent = str((await provider.port.retrieve_session(session.session_id))
                 .data_object["payment_intent"])
    key = f"refund:{session.session_id}"

    first = await provider.port.refund(intent, 25_000, key)
    again = await provider.port.refund(intent, 25_000, key)

    assert first == again and first.startswith("re_")
    assert provider.refunds() == {key: {"id": first, "payment_intent": intent, "amount": 25_000}}
    raw, signature = provider.refund_event(session.session_id, 25_000)
    charge = provider.port.verify_webhook(raw, signature).data_object
    assert (charge["object"], charge["payment_intent"], charge["amount"]) == (
        "charge", intent, 125_000)
    assert (charge["amount_refunded"], charge["refunded"], charge["currency"]) == (
        25_000, False, "usd")


async def test_expiring_closes_an_open_session_and_again_is_a_no_op(provider: Provider) -> None:
    session = await provider.port.create_checkout_session(checkout_request())

    await provider.port.expire_session(session.session_id)
    await provider.port.expire_session(session.session_id)

    state = await provider.port.retrieve_session(session.session_id)
    assert (state.status, state.payment_status) == ("expired", "unpaid")


async def test_expiring_a_paid_session_changes_nothing(provider: Provider) -> None:
    session = await provider.port.create_checkout_session(checkout_request())
    provider.pay(session.session_id)

    await provider.port.expire_session(session.session_id)

    state = await provider.port.retrieve_session(session.session_id)
    assert (state.status, state.payment_status) == ("complete", "paid")


async def test_an_unknown_session_is_a_refusal(provider: Provider) -> None:
    with pytest.raises(PaymentProviderFailed):
        await provider.port.retrieve_session("cs_test_nobody")
    with pytest.raises(PaymentProviderFailed):
        await provider.port.expire_session("cs_test_nobody")


def signed_at(timestamp: int) -> tuple[bytes, str]:
    raw, _ = signed_event({"id": "evt_1", "object": "event", "type": "checkout.session.completed",
                           "data": {"object": {"id": "cs_1"}}}, WEBHOOK_SECRET)
    header = stripe.WebhookSignature.generate_signature_header(raw.decode(), WEBHOOK_SECRET,
                                                               timestamp=timestamp)
    return raw, header


# Rounded towards the side under test, so the second the test takes cannot flip a verdict.
@pytest.mark.parametrize(("when", "accepted"), [
    (lambda now: math.ceil(now) - 299, True),
    (lambda now: math.floor(now) - 301, False),
    (lambda now: math.floor(now) + 299, True),
    (lambda now: math.ceil(now) + 301, False),
], ids=["299s-past", "301s-past", "299s-future", "301s-future"])
async def test_a_signature_is_good_for_300_seconds_either_way(
    provider: Provider, when: Callable[[float], int], accepted: bool,
) -> None:
    raw, header = signed_at(when(time.time()))
    if accepted:
        assert provider.port.verify_webhook(raw, header).event_id == "evt_1"
    else:
        with pytest.raises(WebhookRejected):
            provider.port.verify_webhook(raw, header)


async def test_a_signature_with_another_secret_or_none_is_refused(provider: Provider) -> None:
    raw, _ = signed_at(int(time.time()))
    forged = stripe.WebhookSignature.generate_signature_header(raw.decode(), "whsec_other")
    for signature in (forged, None, ""):
        with pytest.raises(WebhookRejected):
            provider.port.verify_webhook(raw, signature)
