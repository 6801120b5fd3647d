"""Issue 10 (1, 8): what the edge accepts, PostgreSQL can store and the webhook can book.
Control characters, text PostgreSQL cannot store, loose types and unsafe photo links are a 400
VALIDATION_ERROR on both presets, and a refused request changes nothing."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from tests.e2e.conftest import Checkout, assert_error

PACKAGES = "/v1/admin/packages"


@pytest.mark.parametrize("fields", [
    {"coupleName": "Ada\x00Grace"}, {"phone": "+1 555\x00 0100"}, {"email": "a\x00b@example.com"},
    {"coupleName": "Ada\x1bGrace"}, {"coupleName": "Ada\nGrace"}, {"phone": "555\x7f"},
    {"packageSlug": "sunrise-cliffs\x00"}, {"eventDate": "2030-01-01\x00"},
    {"addOnIds": ["ao\x00"]},
])
async def test_control_characters_in_any_checkout_field_are_refused_and_hold_nothing(
    client: httpx.AsyncClient, checkout: Checkout, future_date: Callable[[int], str],
    fields: dict[str, Any],
) -> None:
    date = future_date(140)
    response = await checkout(date, **fields)

    assert_error(response, 400, "VALIDATION_ERROR")
    assert (await client.get(f"/v1/availability?date={date}")).json()["available"] is True


@pytest.mark.parametrize("path", [
    "/v1/bookings/bk%00x", "/v1/packages/forest%00vows", "/v1/admin/bookings/bk%01/timeline",
    "/v1/admin/webhooks/evt%00/replay", "/v1/admin/packages/pkg%00",
])
async def test_a_control_character_in_a_path_parameter_is_a_validation_error(
    client: httpx.AsyncClient, admin_headers: dict[str, str], path: str,
) -> None:
    method = "POST" if path.endswith("replay") else "GET"
    if path.startswith(PACKAGES):
        method = "DELETE"
    response = await client.request(method, path, headers=admin_headers)

    assert_error(response, 400, "VALIDATION_ERROR")


def package(**fields: Any) -> dict[str, Any]:
    return {"slug": f"hostile-{uuid.uuid4().hex[:8]}", "title": "Lakeside Vows",
            "description": "By the water.", "priceCents": 120_000, **fields}


@pytest.mark.parametrize("fields", [
    {"title": "Lake\x00side"}, {"description": "dusk\x00"}, {"description": "bell\x07"},
    {"title": "Tab\there"}, {"priceCents": "100"}, {"priceCents": 100.0},
    {"photoUrl": "javascript:alert(1)"}, {"photoUrl": "ftp://img.example/a.jpg"},
    {"photoUrl": "https://"}, {"photoUrl": "https://img.example/" + "a" * 2048},
    {"photoUrl": "https://img.example/\x00.jpg"},
])
async def test_the_admin_catalog_refuses_unstorable_text_loose_numbers_and_unsafe_photos(
    client: httpx.AsyncClient, admin_headers: dict[str, str], fields: dict[str, Any],
) -> None:
    body = package(**fields)
    response = await client.post(PACKAGES, headers=admin_headers, json=body)

    assert_error(response, 400, "VALIDATION_ERROR")
    assert (await client.get(f"/v1/packages/{body['slug']}")).status_code == 404


async def test_a_description_may_keep_its_line_breaks_and_tabs(
    client: httpx.AsyncClient, admin_headers: dict[str, str],
) -> None:
    body = package(description="Line one\n\tindented\r\nline three",
                   photoUrl="https://img.example/lake.jpg")
    response = await client.post(PACKAGES, headers=admin_headers, json=body)

    assert response.status_code == 201, response.text
    assert response.json()["description"] == body["description"]


async def test_a_version_given_as_a_string_is_a_validation_error(
    client: httpx.AsyncClient, admin_headers: dict[str, str],
) -> None:
    created = (await client.post(PACKAGES, headers=admin_headers, json=package())).json()
    edit = {k: created[k] for k in ("slug", "title", "description", "priceCents")}
    response = await client.put(f"{PACKAGES}/{created['id']}", headers=admin_headers,
                                json={**edit, "version": "1"})

    assert_error(response, 400, "VALIDATION_ERROR")


async def test_an_add_on_refuses_a_string_price_and_an_unsafe_photo(
    client: httpx.AsyncClient, admin_headers: dict[str, str],
) -> None:
    created = (await client.post(PACKAGES, headers=admin_headers, json=package())).json()
    url = f"{PACKAGES}/{created['id']}/add-ons"
    for fields in ({"priceCents": "100"}, {"photoUrl": "data:image/png;base64,AAAA"}):
        body = {"title": "Flowers", "description": "", "priceCents": 5_000, **fields}
        response = await client.post(url, headers=admin_headers, json=body)
        assert_error(response, 400, "VALIDATION_ERROR")
