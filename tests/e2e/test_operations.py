"""SPEC §7: health, metrics, request ids, and the errors of routes that do not exist."""

from __future__ import annotations

import re
from collections.abc import Callable

import httpx
import pytest

from tests.conftest import sign, stripe_event
from tests.e2e.conftest import Book, assert_error

REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{1,128}")
METRICS = ["elope_webhook_processing_seconds", "elope_booking_creation_seconds",
           "elope_booking_conflicts_total", "elope_lock_timeouts_total",
           "elope_webhook_outcomes_total", "elope_db_pool_size", "elope_db_pool_in_use"]
LEAKS = ("Traceback", "SELECT", "File \"", "whsec_", "site-packages", "argon2")


async def test_the_process_is_live_and_ready(client: httpx.AsyncClient) -> None:
    live = await client.get("/health/live")
    ready = await client.get("/health/ready")
    assert (live.status_code, live.json()) == (200, {"status": "ok"})
    assert (ready.status_code, ready.json()) == (200, {"status": "ok"})


async def test_metrics_are_prometheus_text_with_every_documented_series(
    client: httpx.AsyncClient,
) -> None:
    response = await client.get("/metrics")

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    for name in METRICS:
        assert re.search(rf"^# TYPE {name} ", response.text, re.MULTILINE), name
    assert "# TYPE elope_webhook_processing_seconds histogram" in response.text


async def test_a_paid_booking_shows_up_in_the_metrics(
    client: httpx.AsyncClient, book: Book, future_date: Callable[[int], str],
) -> None:
    await book(future_date(150))

    text = (await client.get("/metrics")).text

    assert re.search(r"^elope_booking_creation_seconds_count(\{[^}]*\})? 1\.0$", text, re.M)
    processed = re.search(
        r'^elope_webhook_processing_seconds_count\{[^}]*checkout\.session\.completed[^}]*\}'
        r" 1\.0$", text, re.M)
    assert processed, text
    assert re.search(r"^elope_webhook_outcomes_total\{[^}]*\} 1\.0$", text, re.M)


@pytest.mark.parametrize("given", ["abc-123", "trace.ID_42", "x" * 128, "0"])
async def test_a_valid_caller_request_id_is_echoed(
    client: httpx.AsyncClient, given: str,
) -> None:
    response = await client.get("/health/live", headers={"X-Request-ID": given})
    assert response.headers["x-request-id"] == given


@pytest.mark.parametrize("given", ["has spaces", "x" * 129, "semi;colon", "slash/ed", ""])
async def test_an_invalid_caller_request_id_is_replaced_by_a_new_one(
    client: httpx.AsyncClient, given: str,
) -> None:
    response = await client.get("/health/live", headers={"X-Request-ID": given})
    issued = response.headers["x-request-id"]
    assert issued != given
    assert REQUEST_ID.fullmatch(issued)


async def test_each_request_without_an_id_gets_its_own(client: httpx.AsyncClient) -> None:
    first = (await client.get("/health/live")).headers["x-request-id"]
    second = (await client.get("/health/live")).headers["x-request-id"]
    assert first != second
    assert REQUEST_ID.fullmatch(first)


async def test_an_unknown_route_is_not_found_with_the_error_body(
    client: httpx.AsyncClient,
) -> None:
    response = await client.get("/v1/nowhere/at-all", headers={"X-Request-ID": "lost-1"})
    body = assert_error(response, 404, "NOT_FOUND")
    assert body["requestId"] == "lost-1"


async def test_a_wrong_method_is_405_with_the_error_body(client: httpx.AsyncClient) -> None:
    response = await client.delete("/v1/packages", headers={"X-Request-ID": "wrong-verb"})

    assert response.status_code == 405
    body = response.json()
    assert set(body) == {"error", "message", "requestId"}
    assert body["requestId"] == response.headers["x-request-id"] == "wrong-verb"
    assert (await client.get("/v1/packages")).status_code == 200


async def test_a_bad_webhook_signature_carries_the_request_id(
    client: httpx.AsyncClient,
) -> None:
    raw, headers = sign(stripe_event("invoice.paid", {"id": "in_1"}), secret="whsec_wrong")
    response = await client.post("/v1/webhooks/stripe", content=raw,
                                 headers={**headers, "X-Request-ID": "sig-check"})
    body = assert_error(response, 422, "WEBHOOK_VALIDATION_ERROR")
    assert body["requestId"] == "sig-check"


async def test_a_validation_error_carries_the_callers_request_id(
    client: httpx.AsyncClient,
) -> None:
    response = await client.get("/v1/availability", params={"date": "x"},
                                headers={"X-Request-ID": "val-1"})
    assert assert_error(response, 400, "VALIDATION_ERROR")["requestId"] == "val-1"


async def test_no_error_body_reveals_a_stack_trace_sql_or_secret(
    client: httpx.AsyncClient, admin_headers: dict[str, str],
) -> None:
    raw, headers = sign(stripe_event("invoice.paid", {"id": "in_2"}), secret="whsec_wrong")
    responses = [
        await client.get("/v1/packages/not-a-package-4e1"),
        await client.delete("/v1/packages"),
        await client.get("/v1/availability", params={"date": "2027-99-99"}),
        await client.post("/v1/bookings/checkout", content=b"{not json",
                          headers={"Content-Type": "application/json"}),
        await client.post("/v1/admin/login", json={"email": "a@b.co", "password": "nope"}),
        await client.get("/v1/admin/bookings", params={"cursor": "%%%"}, headers=admin_headers),
        await client.post("/v1/webhooks/stripe", content=raw, headers=headers),
        await client.post("/v1/webhooks/stripe", content=b"{}"),
    ]
    for response in responses:
        assert 400 <= response.status_code < 500, response.text
        assert set(response.json()) == {"error", "message", "requestId"}
        for leak in LEAKS:
            assert leak not in response.text, (leak, response.text)
