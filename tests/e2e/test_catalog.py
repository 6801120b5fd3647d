"""SPEC §1: the public catalog."""

from __future__ import annotations

from collections.abc import Callable

import httpx

from tests.e2e.conftest import DEMO_SLUGS, Checkout, assert_error, demo_package

PACKAGE_FIELDS = {"id", "slug", "title", "description", "priceCents", "photoUrl", "version",
                  "addOns"}
ADD_ON_FIELDS = {"id", "packageId", "title", "description", "priceCents", "photoUrl"}


async def test_the_catalog_lists_the_three_active_demo_packages_with_their_add_ons(
    client: httpx.AsyncClient,
) -> None:
    response = await client.get("/v1/packages")

    assert response.status_code == 200
    packages = response.json()
    assert sorted(p["slug"] for p in packages) == list(DEMO_SLUGS)
    by_slug = {p["slug"]: p for p in packages}
    assert by_slug["sunrise-cliffs"]["priceCents"] == 180_000
    assert by_slug["sunrise-cliffs"]["title"] == "Sunrise on the Cliffs"
    assert by_slug["sunrise-cliffs"]["photoUrl"] is None
    assert by_slug["sunrise-cliffs"]["version"] == 1
    assert [a["title"] for a in by_slug["forest-vows"]["addOns"]] == [
        "Hair and makeup", "Picnic for two", "Drone footage"]
    assert [a["priceCents"] for a in by_slug["city-hall-chic"]["addOns"]] == [30_000, 12_000]


async def test_a_package_carries_exactly_the_documented_fields(
    client: httpx.AsyncClient,
) -> None:
    packages = (await client.get("/v1/packages")).json()

    for package in packages:
        assert set(package) == PACKAGE_FIELDS
        assert package["addOns"], package["slug"]
        for add_on in package["addOns"]:
            assert set(add_on) == ADD_ON_FIELDS
            assert add_on["packageId"] == package["id"]
            assert isinstance(add_on["priceCents"], int)


async def test_a_package_is_found_by_its_slug(client: httpx.AsyncClient) -> None:
    listed = {p["slug"]: p for p in (await client.get("/v1/packages")).json()}

    response = await client.get("/v1/packages/forest-vows")

    assert response.status_code == 200
    assert response.json() == listed["forest-vows"]


async def test_an_unknown_slug_is_not_found_with_the_error_body(
    client: httpx.AsyncClient,
) -> None:
    response = await client.get("/v1/packages/no-such-package-7f3a")

    body = assert_error(response, 404, "NOT_FOUND")
    assert "no-such-package-7f3a" in body["message"]


async def test_a_retired_package_disappears_from_the_public_catalog(
    client: httpx.AsyncClient, admin_headers: dict[str, str],
) -> None:
    package = await demo_package(client, "city-hall-chic")
    retired = await client.put(f"/v1/admin/packages/{package['id']}", headers=admin_headers, json={
        "slug": package["slug"], "title": package["title"],
        "description": package["description"], "priceCents": package["priceCents"],
        "version": package["version"], "active": False,
    })
    assert retired.status_code == 200, retired.text

    listed = await client.get("/v1/packages")
    one = await client.get("/v1/packages/city-hall-chic")

    assert "city-hall-chic" not in [p["slug"] for p in listed.json()]
    assert len(listed.json()) == 2
    assert_error(one, 404, "NOT_FOUND")


async def test_an_add_on_added_by_the_admin_shows_in_the_public_catalog(
    client: httpx.AsyncClient, admin_headers: dict[str, str],
) -> None:
    package = await demo_package(client, "sunrise-cliffs")
    created = await client.post(f"/v1/admin/packages/{package['id']}/add-ons",
                                headers=admin_headers, json={
                                    "title": "Sunrise yoga", "description": "Before the vows.",
                                    "priceCents": 7_500})
    assert created.status_code == 201, created.text

    refreshed = await demo_package(client, "sunrise-cliffs")

    assert refreshed["addOns"][-1] == created.json()


async def test_a_retired_package_cannot_be_checked_out(
    client: httpx.AsyncClient, admin_headers: dict[str, str], checkout: Checkout,
    future_date: Callable[[int], str],
) -> None:
    package = await demo_package(client, "forest-vows")
    await client.put(f"/v1/admin/packages/{package['id']}", headers=admin_headers, json={
        "slug": package["slug"], "title": package["title"],
        "description": package["description"], "priceCents": package["priceCents"],
        "version": package["version"], "active": False})

    assert_error(await checkout(future_date(15), slug="forest-vows"), 404, "NOT_FOUND")


async def test_a_retired_add_on_leaves_the_catalog_and_cannot_be_bought(
    client: httpx.AsyncClient, admin_headers: dict[str, str], checkout: Checkout,
    future_date: Callable[[int], str],
) -> None:
    package = await demo_package(client, "sunrise-cliffs")
    champagne = package["addOns"][1]
    retired = await client.put(f"/v1/admin/add-ons/{champagne['id']}", headers=admin_headers,
                               json={"title": champagne["title"],
                                     "description": champagne["description"],
                                     "priceCents": champagne["priceCents"], "active": False})
    assert retired.status_code == 200, retired.text

    shown = await demo_package(client, "sunrise-cliffs")

    assert [a["id"] for a in shown["addOns"]] == [package["addOns"][0]["id"]]
    bought = await checkout(future_date(16), add_on_ids=[champagne["id"]])
    assert_error(bought, 400, "VALIDATION_ERROR")
