"""SPEC §5: packages and add-ons as the admin edits them."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from tests.e2e.conftest import Book, Checkout, assert_error, demo_package


def new_package(**fields: Any) -> dict[str, Any]:
    return {"slug": f"lakeside-{uuid.uuid4().hex[:8]}", "title": "Lakeside Vows",
            "description": "By the water at dusk.", "priceCents": 120_000, **fields}


async def create(client: httpx.AsyncClient, headers: dict[str, str],
                 **fields: Any) -> dict[str, Any]:
    response = await client.post("/v1/admin/packages", headers=headers,
                                 json=new_package(**fields))
    assert response.status_code == 201, response.text
    return response.json()


def edit(package: dict[str, Any], **fields: Any) -> dict[str, Any]:
    keys = ("slug", "title", "description", "priceCents", "photoUrl", "version")
    return {**{k: package[k] for k in keys}, **fields}


async def test_a_new_package_starts_at_version_1_and_is_for_sale(
    client: httpx.AsyncClient, admin_headers: dict[str, str], checkout: Checkout,
    future_date: Callable[[int], str],
) -> None:
    body = new_package(photoUrl="https://img.example/lake.jpg")
    response = await client.post("/v1/admin/packages", headers=admin_headers, json=body)

    assert response.status_code == 201
    package = response.json()
    assert package["version"] == 1
    assert package["addOns"] == []
    assert (package["slug"], package["title"], package["priceCents"], package["photoUrl"]) == (
        body["slug"], "Lakeside Vows", 120_000, "https://img.example/lake.jpg")
    assert (await client.get(f"/v1/packages/{body['slug']}")).status_code == 200
    bought = await checkout(future_date(130), slug=body["slug"])
    assert bought.json()["totalCents"] == 120_000


async def test_a_taken_slug_is_a_conflict(
    client: httpx.AsyncClient, admin_headers: dict[str, str],
) -> None:
    response = await client.post("/v1/admin/packages", headers=admin_headers,
                                 json=new_package(slug="forest-vows"))
    assert_error(response, 409, "CONFLICT")
    assert (await demo_package(client, "forest-vows"))["title"] == "Vows in the Old Forest"


@pytest.mark.parametrize("fields", [{"slug": "Not A Slug"}, {"priceCents": -1},
                                    {"title": ""}, {"priceCents": "12.50"}])
async def test_an_invalid_package_is_a_validation_error(
    client: httpx.AsyncClient, admin_headers: dict[str, str], fields: dict[str, Any],
) -> None:
    response = await client.post("/v1/admin/packages", headers=admin_headers,
                                 json=new_package(**fields))
    assert_error(response, 400, "VALIDATION_ERROR")
    assert len((await client.get("/v1/packages")).json()) == 3


async def test_an_edit_of_the_current_version_bumps_the_version(
    client: httpx.AsyncClient, admin_headers: dict[str, str],
) -> None:
    package = await create(client, admin_headers)

    response = await client.put(f"/v1/admin/packages/{package['id']}", headers=admin_headers,
                                json=edit(package, title="Lakeside at Dawn", priceCents=130_000))

    assert response.status_code == 200
    assert response.json()["version"] == 2
    assert response.json()["title"] == "Lakeside at Dawn"
    public = await client.get(f"/v1/packages/{package['slug']}")
    assert (public.json()["priceCents"], public.json()["version"]) == (130_000, 2)


async def test_an_edit_of_a_stale_version_is_a_conflict_and_loses_nothing(
    client: httpx.AsyncClient, admin_headers: dict[str, str],
) -> None:
    package = await create(client, admin_headers)
    url = f"/v1/admin/packages/{package['id']}"
    first = await client.put(url, headers=admin_headers, json=edit(package, title="First"))
    assert first.status_code == 200

    second = await client.put(url, headers=admin_headers, json=edit(package, title="Second"))

    assert_error(second, 409, "CONFLICT")
    public = (await client.get(f"/v1/packages/{package['slug']}")).json()
    assert (public["title"], public["version"]) == ("First", 2)


async def test_an_edit_keeps_the_package_add_ons(
    client: httpx.AsyncClient, admin_headers: dict[str, str],
) -> None:
    package = await demo_package(client, "forest-vows")
    response = await client.put(f"/v1/admin/packages/{package['id']}", headers=admin_headers,
                                json=edit(package, title="Redwood Vows"))
    assert response.json()["addOns"] == package["addOns"]


async def test_an_edit_to_a_taken_slug_is_a_conflict(
    client: httpx.AsyncClient, admin_headers: dict[str, str],
) -> None:
    package = await create(client, admin_headers)
    response = await client.put(f"/v1/admin/packages/{package['id']}", headers=admin_headers,
                                json=edit(package, slug="sunrise-cliffs"))
    assert_error(response, 409, "CONFLICT")


async def test_an_edit_of_an_unknown_package_is_not_found(
    client: httpx.AsyncClient, admin_headers: dict[str, str],
) -> None:
    response = await client.put("/v1/admin/packages/pkg_missing", headers=admin_headers,
                                json=edit(new_package(photoUrl=None, version=1)))
    assert_error(response, 404, "NOT_FOUND")


async def test_an_edit_without_a_version_is_a_validation_error(
    client: httpx.AsyncClient, admin_headers: dict[str, str],
) -> None:
    package = await create(client, admin_headers)
    body = edit(package)
    del body["version"]
    response = await client.put(f"/v1/admin/packages/{package['id']}", headers=admin_headers,
                                json=body)
    assert_error(response, 400, "VALIDATION_ERROR")


async def test_a_package_nobody_booked_can_be_deleted(
    client: httpx.AsyncClient, admin_headers: dict[str, str],
) -> None:
    package = await create(client, admin_headers)

    response = await client.delete(f"/v1/admin/packages/{package['id']}", headers=admin_headers)

    assert response.status_code == 204
    assert_error(await client.get(f"/v1/packages/{package['slug']}"), 404, "NOT_FOUND")


async def test_a_booked_package_cannot_be_deleted(
    client: httpx.AsyncClient, admin_headers: dict[str, str], book: Book,
    future_date: Callable[[int], str],
) -> None:
    booking = await book(future_date(131), slug="city-hall-chic")

    response = await client.delete(f"/v1/admin/packages/{booking['packageId']}",
                                   headers=admin_headers)

    assert_error(response, 409, "CONFLICT")
    assert (await client.get("/v1/packages/city-hall-chic")).status_code == 200


async def test_deleting_an_unknown_package_is_not_found(
    client: httpx.AsyncClient, admin_headers: dict[str, str],
) -> None:
    response = await client.delete("/v1/admin/packages/pkg_missing", headers=admin_headers)
    assert_error(response, 404, "NOT_FOUND")


async def test_an_add_on_is_created_edited_and_deleted(
    client: httpx.AsyncClient, admin_headers: dict[str, str],
) -> None:
    package = await create(client, admin_headers)
    created = await client.post(f"/v1/admin/packages/{package['id']}/add-ons",
                                headers=admin_headers, json={
                                    "title": "Canoe", "description": "Paddle out after.",
                                    "priceCents": 8_000})
    assert created.status_code == 201
    add_on = created.json()
    assert add_on == {"id": add_on["id"], "packageId": package["id"], "title": "Canoe",
                      "description": "Paddle out after.", "priceCents": 8_000,
                      "photoUrl": None}

    edited = await client.put(f"/v1/admin/add-ons/{add_on['id']}", headers=admin_headers,
                              json={"title": "Two canoes", "description": "", "priceCents": 12_000})
    assert edited.status_code == 200
    assert (edited.json()["title"], edited.json()["priceCents"]) == ("Two canoes", 12_000)
    public = (await client.get(f"/v1/packages/{package['slug']}")).json()
    assert public["addOns"] == [edited.json()]

    deleted = await client.delete(f"/v1/admin/add-ons/{add_on['id']}", headers=admin_headers)
    assert deleted.status_code == 204
    assert (await client.get(f"/v1/packages/{package['slug']}")).json()["addOns"] == []


async def test_an_add_on_with_a_negative_price_is_a_validation_error(
    client: httpx.AsyncClient, admin_headers: dict[str, str],
) -> None:
    package = await demo_package(client, "sunrise-cliffs")
    first = package["addOns"][0]
    body = {"title": "Discount", "description": "", "priceCents": -500}

    created = await client.post(f"/v1/admin/packages/{package['id']}/add-ons",
                                headers=admin_headers, json=body)
    edited = await client.put(f"/v1/admin/add-ons/{first['id']}", headers=admin_headers,
                              json=body)

    assert_error(created, 400, "VALIDATION_ERROR")
    assert_error(edited, 400, "VALIDATION_ERROR")
    assert await demo_package(client, "sunrise-cliffs") == package


async def test_an_add_on_for_an_unknown_package_is_not_found(
    client: httpx.AsyncClient, admin_headers: dict[str, str],
) -> None:
    response = await client.post("/v1/admin/packages/pkg_missing/add-ons", headers=admin_headers,
                                 json={"title": "x", "description": "", "priceCents": 1})
    assert_error(response, 404, "NOT_FOUND")


async def test_editing_or_deleting_an_unknown_add_on_is_not_found(
    client: httpx.AsyncClient, admin_headers: dict[str, str],
) -> None:
    edited = await client.put("/v1/admin/add-ons/addon_missing", headers=admin_headers,
                              json={"title": "x", "description": "", "priceCents": 1})
    deleted = await client.delete("/v1/admin/add-ons/addon_missing", headers=admin_headers)
    assert_error(edited, 404, "NOT_FOUND")
    assert_error(deleted, 404, "NOT_FOUND")
