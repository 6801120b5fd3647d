"""The real Stripe adapter over HTTP: the exact requests Stripe receives, and what each kind
of Stripe failure becomes (without a word of Stripe's, the key or a request id in it)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import time
from collections.abc import AsyncIterator, Iterator

import httpx
import pytest

from adapters.stripe.stripe_checkout import StripeCheckout
from domain.errors import DomainError, PaymentProviderFailed, PaymentProviderUnavailable
from tests.contract.test_payment_provider import (
    CANCEL_URL,
    METADATA,
    SECRET_KEY,
    SUCCESS_URL,
    WEBHOOK_SECRET,
    checkout_request,
)
from tests.fakes.local_server import free_port
from tests.fakes.stripe_server import FakeStripe, FakeStripePort, fake_stripe, fake_stripe_port

# stripe 16 hands httpx its form body as `data=str`, which httpx deprecates; not ours to fix.
pytestmark = pytest.mark.filterwarnings("ignore:Use 'content=<...>':DeprecationWarning")


def adapter_for(base_url: str, *, key: str = SECRET_KEY, timeout: float = 5,
                retries: int = 0) -> StripeCheckout:
    return StripeCheckout(key, WEBHOOK_SECRET, success_url=SUCCESS_URL, cancel_url=CANCEL_URL,
                          api_base=base_url, timeout_seconds=timeout, max_network_retries=retries)


@pytest.fixture(scope="module")
def stripe_port() -> Iterator[tuple[FakeStripePort, str]]:
    with fake_stripe_port() as served:
        yield served


@pytest.fixture
def server(stripe_port: tuple[FakeStripePort, str]) -> tuple[FakeStripe, str]:
    port, base_url = stripe_port
    return port.fresh(SECRET_KEY, WEBHOOK_SECRET), base_url


@pytest.fixture
async def stripe_checkout(server: tuple[FakeStripe, str]) -> AsyncIterator[StripeCheckout]:
    adapter = adapter_for(server[1])
    yield adapter
    await adapter.close()
    await adapter.close()  # closing twice is harmless


async def test_the_session_is_asked_for_field_by_field(
    server: tuple[FakeStripe, str], stripe_checkout: StripeCheckout,
) -> None:
    fake, _ = server
    request = checkout_request()
    await stripe_checkout.create_checkout_session(request)

    [(method, path, headers, form)] = fake.requests
    assert (method, path) == ("POST", "/v1/checkout/sessions")
    assert headers["authorization"] == f"Bearer {SECRET_KEY}"
    assert headers["content-type"] == "application/x-www-form-urlencoded"
    assert headers["idempotency-key"]  # the library's own, so its retries cannot pay twice
    assert form == {
        "mode": "payment",
        "line_items[0][price_data][currency]": "usd",
        "line_items[0][price_data][unit_amount]": "100000",
        "line_items[0][price_data][product_data][name]": "Sunrise on the ridge",
        "line_items[0][quantity]": "1",
        "line_items[1][price_data][currency]": "usd",
        "line_items[1][price_data][unit_amount]": "25000",
        "line_items[1][price_data][product_data][name]": "Flowers",
        "line_items[1][quantity]": "1",
        "customer_email": "ana@example.com",
        "expires_at": str(int(request.expires_at.timestamp())),
        "success_url": SUCCESS_URL,
        "cancel_url": CANCEL_URL,
        **{f"metadata[{key}]": value for key, value in METADATA.items()},
    }


async def test_the_refund_carries_our_idempotency_key(
    server: tuple[FakeStripe, str], stripe_checkout: StripeCheckout,
) -> None:
    fake, _ = server
    session = await stripe_checkout.create_checkout_session(checkout_request())
    fake.pay(session.session_id)
    intent = fake.sessions[session.session_id]["payment_intent"]

    await stripe_checkout.refund(intent, 125_000, f"refund:{session.session_id}")
    await stripe_checkout.refund(intent, 125_000, f"refund:{session.session_id}")

    refunds = [r for r in fake.requests if r[1] == "/v1/refunds"]
    assert [(r[2]["idempotency-key"], r[3]) for r in refunds] == 2 * [
        (f"refund:{session.session_id}", {"payment_intent": intent, "amount": "125000"})]
    assert len(fake.refunds) == 1


async def test_the_checkout_url_is_a_page_that_answers() -> None:
    with fake_stripe(SECRET_KEY, WEBHOOK_SECRET) as (fake, base_url):
        adapter = adapter_for(base_url)
        try:
            session = await adapter.create_checkout_session(checkout_request())
            async with httpx.AsyncClient() as client:
                page = await client.get(session.url)
        finally:
            await adapter.close()
    assert page.status_code == 200 and session.session_id in fake.sessions


async def test_an_async_payment_still_pending_is_complete_but_unpaid(
    server: tuple[FakeStripe, str], stripe_checkout: StripeCheckout,
) -> None:
    fake, _ = server
    session = await stripe_checkout.create_checkout_session(checkout_request())
    fake.complete_unpaid(session.session_id)

    await stripe_checkout.expire_session(session.session_id)  # not open: nothing to do

    state = await stripe_checkout.retrieve_session(session.session_id)
    assert (state.status, state.payment_status) == ("complete", "unpaid")


def assert_says_nothing_of_stripes(err: DomainError) -> None:
    for leak in ("fake stripe detail", SECRET_KEY, "sk_", "req_", "Bearer"):
        assert leak not in str(err) and leak not in err.message
    assert err.__cause__ is None and err.__suppress_context__


@pytest.mark.parametrize(("status", "error_type", "expected"), [
    (402, "card_error", PaymentProviderFailed),
    (400, "invalid_request_error", PaymentProviderFailed),
    (401, "invalid_request_error", PaymentProviderFailed),
    (403, "permission_error", PaymentProviderFailed),
    (404, "invalid_request_error", PaymentProviderFailed),
    (400, "idempotency_error", PaymentProviderFailed),
    (409, "api_error", PaymentProviderUnavailable),
    (429, "rate_limit_error", PaymentProviderUnavailable),
    (500, "api_error", PaymentProviderUnavailable),
    (503, "api_error", PaymentProviderUnavailable),
])
async def test_each_stripe_error_becomes_a_generic_domain_error(
    server: tuple[FakeStripe, str], stripe_checkout: StripeCheckout,
    caplog: pytest.LogCaptureFixture, status: int, error_type: str, expected: type[DomainError],
) -> None:
    server[0].fail_next(status, error_type)
    with caplog.at_level(logging.WARNING, "elope.stripe"), pytest.raises(expected) as raised:
        await stripe_checkout.create_checkout_session(checkout_request())

    assert_says_nothing_of_stripes(raised.value)
    [record] = [r for r in caplog.records if r.name == "elope.stripe"]
    assert record.levelno == logging.WARNING and "req_" in record.getMessage()
    assert "fake stripe detail" not in record.getMessage()
    assert SECRET_KEY not in record.getMessage()


async def test_every_call_maps_its_errors(
    server: tuple[FakeStripe, str], stripe_checkout: StripeCheckout,
) -> None:
    fake, _ = server
    session = await stripe_checkout.create_checkout_session(checkout_request())
    calls = [lambda: stripe_checkout.retrieve_session(session.session_id),
             lambda: stripe_checkout.expire_session(session.session_id),
             lambda: stripe_checkout.refund("pi_test_1", 100, "refund:x"),
             stripe_checkout.check_access]
    for call in calls:
        fake.fail_next(500, "api_error")
        with pytest.raises(PaymentProviderUnavailable):
            await call()
        fake.fail_next(400, "invalid_request_error")
        with pytest.raises(PaymentProviderFailed):
            await call()


async def test_a_wrong_key_is_refused_without_repeating_it(server: tuple[FakeStripe, str]) -> None:
    adapter = adapter_for(server[1], key="sk_test_wrong_0123456789")
    try:
        with pytest.raises(PaymentProviderFailed) as refused:
            await adapter.create_checkout_session(checkout_request())
        with pytest.raises(PaymentProviderFailed) as doctor:
            await adapter.check_access()
    finally:
        await adapter.close()
    assert_says_nothing_of_stripes(refused.value)
    assert "sk_test_wrong" not in doctor.value.message
    assert doctor.value.message == f"Stripe at {server[1].removeprefix('http://')} rejected the secret key"


async def test_check_access_names_the_host_and_mode(
    server: tuple[FakeStripe, str], stripe_checkout: StripeCheckout,
) -> None:
    host = server[1].removeprefix("http://")
    assert await stripe_checkout.check_access() == f"Stripe key accepted ({host}, test mode)"


async def test_nobody_listening_is_unavailable() -> None:
    adapter = adapter_for(f"http://127.0.0.1:{free_port()}")
    try:
        with pytest.raises(PaymentProviderUnavailable) as raised:
            await adapter.retrieve_session("cs_test_1")
        with pytest.raises(PaymentProviderUnavailable):
            await adapter.check_access()
    finally:
        await adapter.close()
    assert_says_nothing_of_stripes(raised.value)


async def test_a_server_slower_than_the_timeout_is_unavailable(
    server: tuple[FakeStripe, str],
) -> None:
    fake, base_url = server
    adapter = adapter_for(base_url, timeout=0.2)
    fake.delay_seconds = 0.6
    started = time.monotonic()
    try:
        with pytest.raises(PaymentProviderUnavailable):
            await adapter.create_checkout_session(checkout_request())
    finally:
        await adapter.close()
    assert time.monotonic() - started < 0.5


async def test_a_failed_create_is_retried_with_the_same_idempotency_key(
    server: tuple[FakeStripe, str],
) -> None:
    fake, base_url = server
    adapter = adapter_for(base_url, retries=2)
    fake.fail_next(503, "api_error")
    try:
        await adapter.create_checkout_session(checkout_request())
        fake.fail_next(402, "card_error")  # a refusal is final: asked once only
        with pytest.raises(PaymentProviderFailed):
            await adapter.create_checkout_session(checkout_request())
    finally:
        await adapter.close()
    keys = [r[2]["idempotency-key"] for r in fake.requests]
    assert len(keys) == 3 and keys[0] == keys[1] != keys[2]


async def test_an_open_session_refusing_to_expire_is_a_failure(
    server: tuple[FakeStripe, str], stripe_checkout: StripeCheckout,
) -> None:
    session = await stripe_checkout.create_checkout_session(checkout_request())
    server[0].fail_next(400, "invalid_request_error")
    with pytest.raises(PaymentProviderFailed):
        await stripe_checkout.expire_session(session.session_id)
    assert (await stripe_checkout.retrieve_session(session.session_id)).status == "open"


async def test_a_hold_shorter_than_stripes_minimum_is_sent_inside_its_window(
    stripe_checkout: StripeCheckout, server: tuple[FakeStripe, str],
) -> None:
    """A 30-minute hold, computed before the call, would reach Stripe a little under its
    30-minute minimum: the adapter sends the earliest expiry Stripe takes, and the fake (which
    refuses anything outside the window, as Stripe does) accepts it."""
    fake, base_url = server
    asked = dt.datetime.now(dt.UTC) + dt.timedelta(minutes=29)
    session = await stripe_checkout.create_checkout_session(
        dataclasses.replace(checkout_request(), expires_at=asked))

    sent = int(fake.sessions[session.session_id]["expires_at"])
    assert 30 * 60 <= sent - time.time() <= 32 * 60
    # The fake itself refuses an expiry under the minimum.
    form = {
        "mode": "payment", "success_url": "https://x.test/s", "cancel_url": "https://x.test/c",
        "expires_at": str(int(asked.timestamp())),
        "line_items[0][price_data][currency]": "usd",
        "line_items[0][price_data][unit_amount]": "100",
        "line_items[0][price_data][product_data][name]": "x", "line_items[0][quantity]": "1"}
    async with httpx.AsyncClient() as raw_client:
        refused = await raw_client.post(f"{base_url}/v1/checkout/sessions", data=form,
                                        headers={"Authorization": f"Bearer {SECRET_KEY}"})
    assert refused.status_code == 400
    assert refused.json()["error"]["param"] == "expires_at"
