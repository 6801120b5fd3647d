"""SPEC §7: the OpenAPI document covers every route, and any change to it shows in review.

The document is the same on both presets except for the dev routes (SPEC §6), which only the
mock preset has: the snapshot is the mock preset's, and the real one is checked for their
absence."""

from __future__ import annotations

from typing import Any

import httpx
from syrupy.assertion import SnapshotAssertion

from tests.e2e.conftest import mock_only, real_only

SPEC_OPERATIONS = {
    ("get", "/v1/packages"), ("get", "/v1/packages/{slug}"),
    ("get", "/v1/availability"), ("get", "/v1/availability/unavailable"),
    ("post", "/v1/bookings/checkout"), ("get", "/v1/bookings/{booking_id}"),
    ("post", "/v1/webhooks/stripe"),
    ("post", "/v1/admin/login"),
    ("get", "/v1/admin/bookings"), ("post", "/v1/admin/bookings/{booking_id}/cancel"),
    ("get", "/v1/admin/bookings/{booking_id}/timeline"),
    ("get", "/v1/admin/blackouts"), ("post", "/v1/admin/blackouts"),
    ("delete", "/v1/admin/blackouts/{blackout_id}"),
    ("post", "/v1/admin/packages"), ("put", "/v1/admin/packages/{package_id}"),
    ("delete", "/v1/admin/packages/{package_id}"),
    ("post", "/v1/admin/packages/{package_id}/add-ons"),
    ("put", "/v1/admin/add-ons/{add_on_id}"), ("delete", "/v1/admin/add-ons/{add_on_id}"),
    ("get", "/v1/admin/webhooks"), ("post", "/v1/admin/webhooks/{event_id}/replay"),
    ("get", "/health/live"), ("get", "/health/ready"), ("get", "/metrics"),
}
DEV_OPERATIONS = {
    ("post", "/v1/dev/simulate-checkout-completed"), ("get", "/v1/dev/checkout/{session_id}"),
    ("post", "/v1/dev/checkout/{session_id}/pay"),
}
METHODS = {"get", "post", "put", "delete", "patch"}


async def openapi(client: httpx.AsyncClient) -> dict[str, Any]:
    response = await client.get("/schema/openapi.json")
    assert response.status_code == 200
    return response.json()


def operations(document: dict[str, Any]) -> set[tuple[str, str]]:
    return {(method, path) for path, item in document["paths"].items()
            for method in item if method in METHODS}


async def test_the_openapi_document_lists_every_route_of_the_spec(
    client: httpx.AsyncClient,
) -> None:
    document = await openapi(client)
    assert document["openapi"].startswith("3.")
    assert operations(document) >= SPEC_OPERATIONS


@mock_only
async def test_the_mock_preset_documents_its_dev_routes(client: httpx.AsyncClient) -> None:
    assert operations(await openapi(client)) >= DEV_OPERATIONS


@real_only
async def test_the_real_preset_documents_no_dev_route(client: httpx.AsyncClient) -> None:
    document = await openapi(client)
    assert [path for path in document["paths"] if path.startswith("/v1/dev/")] == []
    assert operations(document) >= SPEC_OPERATIONS


async def test_every_admin_operation_requires_the_bearer_token(
    client: httpx.AsyncClient,
) -> None:
    document = await openapi(client)
    admin = [(m, p) for m, p in operations(document)
             if p.startswith("/v1/admin/") and p != "/v1/admin/login"]
    assert admin
    for method, path in admin:
        assert document["paths"][path][method].get("security") == [{"BearerToken": []}], path
    assert document["components"]["securitySchemes"]["BearerToken"]["scheme"] == "bearer"


async def test_every_operation_has_a_unique_operation_id(client: httpx.AsyncClient) -> None:
    document = await openapi(client)
    ids = [document["paths"][p][m]["operationId"] for m, p in operations(document)]
    assert len(ids) == len(set(ids))


@mock_only
async def test_the_openapi_document_matches_the_reviewed_snapshot(
    client: httpx.AsyncClient, snapshot: SnapshotAssertion,
) -> None:
    assert await openapi(client) == snapshot


async def test_every_error_response_is_documented_with_the_spec_error_body(
    client: httpx.AsyncClient,
) -> None:
    document = await openapi(client)
    assert document["components"]["schemas"]["Error"]["required"] == [
        "error", "message", "requestId"]
    for method, path in operations(document):
        responses = document["paths"][path][method]["responses"]
        errors = {status: r for status, r in responses.items() if status[0] in "45"}
        assert "400" in errors, (method, path)  # the edge checks run on every route
        for status, response in errors.items():
            schema = response["content"]["application/json"]["schema"]
            assert schema == {"$ref": "#/components/schemas/Error"}, (method, path, status)
        if path.startswith("/v1/admin/") and path != "/v1/admin/login":
            assert "401" in errors, (method, path)
        if "{" in path:
            assert "404" in errors, (method, path)


async def test_a_rate_limited_operation_documents_its_429_and_retry_after(
    client: httpx.AsyncClient,
) -> None:
    document = await openapi(client)
    for path in ("/v1/bookings/checkout", "/v1/webhooks/stripe", "/v1/admin/login"):
        limited = document["paths"][path]["post"]["responses"]["429"]
        assert limited["headers"]["Retry-After"]["required"] is True


async def test_the_webhook_documents_its_signature_header_and_raw_body(
    client: httpx.AsyncClient,
) -> None:
    operation = (await openapi(client))["paths"]["/v1/webhooks/stripe"]["post"]
    [signature] = [p for p in operation["parameters"] if p["name"] == "Stripe-Signature"]
    assert signature["in"] == "header" and signature["required"] is True
    body = operation["requestBody"]["content"]["application/json"]["schema"]
    assert body == {"type": "string", "format": "binary"}
    assert {"422", "500", "503"} <= set(operation["responses"])


async def test_metrics_are_documented_as_prometheus_text(client: httpx.AsyncClient) -> None:
    operation = (await openapi(client))["paths"]["/metrics"]["get"]
    assert list(operation["responses"]["200"]["content"]) == ["text/plain; version=0.0.4"]
    scraped = await client.get("/metrics")
    assert scraped.headers["content-type"].startswith("text/plain; version=0.0.4")
