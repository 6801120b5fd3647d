"""PackageRepository: packages with their add-ons, slugs, optimistic versions."""

from __future__ import annotations

import dataclasses

import pytest

from application.ports.unit_of_work import UnitOfWorkFactory
from domain.booking import BookingStatus
from domain.errors import Conflict, NotFound, StaleVersion
from tests.contract.samples import add_on, booking, package, seed_package


async def test_a_package_reads_back_with_its_add_ons_in_insertion_order(
    uow: UnitOfWorkFactory,
) -> None:
    await seed_package(uow)
    async with uow() as tx:
        # Ids deliberately out of alphabetical order: the order is the order they were added.
        for id in ("ao_c", "ao_a", "ao_b"):
            await tx.packages.add_add_on(add_on(id, title=f"Extra {id}"))
        await tx.commit()
    async with uow() as tx:
        by_id = await tx.packages.get("pkg_sunrise")
        by_slug = await tx.packages.get_by_slug("sunrise")
    expected = dataclasses.replace(
        package(), add_ons=tuple(add_on(i, title=f"Extra {i}") for i in ("ao_c", "ao_a", "ao_b")))
    assert by_id == expected
    assert by_slug == expected


async def test_unknown_packages_and_add_ons_are_none(uow: UnitOfWorkFactory) -> None:
    async with uow() as tx:
        assert await tx.packages.get("pkg_nope") is None
        assert await tx.packages.get_by_slug("nope") is None
        assert await tx.packages.get_add_on("ao_nope") is None


async def test_add_stores_the_package_without_the_add_ons_it_carries(
    uow: UnitOfWorkFactory,
) -> None:
    await seed_package(uow, dataclasses.replace(package(), add_ons=(add_on("ao_1"),)))
    async with uow() as tx:
        stored = await tx.packages.get("pkg_sunrise")
        assert stored is not None
        assert stored.add_ons == ()
        assert await tx.packages.get_add_on("ao_1") is None


async def test_a_taken_slug_is_a_conflict(uow: UnitOfWorkFactory) -> None:
    await seed_package(uow)
    async with uow() as tx:
        with pytest.raises(Conflict):
            await tx.packages.add(package("pkg_other", slug="sunrise", title="Other"))
    async with uow() as tx:
        assert await tx.packages.get("pkg_other") is None


async def test_a_package_id_is_added_once(uow: UnitOfWorkFactory) -> None:
    await seed_package(uow)
    async with uow() as tx:
        with pytest.raises(Conflict):
            await tx.packages.add(package(slug="another-slug"))


async def test_an_update_one_version_ahead_is_stored(uow: UnitOfWorkFactory) -> None:
    await seed_package(uow)
    revised = package(slug="sunrise-ridge", title="Sunrise on the ridge", version=2,
                      price_cents=120_000, active=False)
    async with uow() as tx:
        await tx.packages.update(revised)
        await tx.commit()
    async with uow() as tx:
        assert await tx.packages.get("pkg_sunrise") == revised
        assert await tx.packages.get_by_slug("sunrise") is None
        assert await tx.packages.get_by_slug("sunrise-ridge") == revised


@pytest.mark.parametrize("version", [1, 3], ids=["same-version", "skips-a-version"])
async def test_an_update_not_exactly_one_version_ahead_is_stale(
    uow: UnitOfWorkFactory, version: int,
) -> None:
    await seed_package(uow)
    async with uow() as tx:
        with pytest.raises(StaleVersion):
            await tx.packages.update(package(title="Lost update", version=version))
    async with uow() as tx:
        assert await tx.packages.get("pkg_sunrise") == package()


async def test_two_revisions_of_the_same_version_only_the_first_wins(
    uow: UnitOfWorkFactory,
) -> None:
    await seed_package(uow)
    async with uow() as tx:
        await tx.packages.update(package(title="First", version=2))
        await tx.commit()
    async with uow() as tx:
        with pytest.raises(StaleVersion):
            await tx.packages.update(package(title="Second", version=2))
    async with uow() as tx:
        stored = await tx.packages.get("pkg_sunrise")
        assert stored is not None
        assert (stored.title, stored.version) == ("First", 2)


async def test_updating_a_missing_package_is_not_found(uow: UnitOfWorkFactory) -> None:
    async with uow() as tx:
        with pytest.raises(NotFound):
            await tx.packages.update(package(version=2))


async def test_an_update_to_another_packages_slug_is_a_conflict(uow: UnitOfWorkFactory) -> None:
    await seed_package(uow, package(), package("pkg_dusk", slug="dusk", title="Dusk"))
    async with uow() as tx:
        with pytest.raises(Conflict):
            await tx.packages.update(package("pkg_dusk", slug="sunrise", title="Dusk", version=2))


async def test_an_update_leaves_the_add_ons_alone(uow: UnitOfWorkFactory) -> None:
    await seed_package(uow)
    async with uow() as tx:
        await tx.packages.add_add_on(add_on("ao_1"))
        await tx.commit()
    async with uow() as tx:
        # A revision read before the add-on existed carries no add-ons; they must survive.
        await tx.packages.update(package(title="Renamed", version=2))
        await tx.commit()
    async with uow() as tx:
        stored = await tx.packages.get("pkg_sunrise")
    assert stored is not None
    assert stored.add_ons == (add_on("ao_1"),)


async def test_remove_deletes_the_package_and_its_add_ons(uow: UnitOfWorkFactory) -> None:
    await seed_package(uow)
    async with uow() as tx:
        await tx.packages.add_add_on(add_on("ao_1"))
        await tx.packages.remove("pkg_sunrise")
        await tx.commit()
    async with uow() as tx:
        assert await tx.packages.get("pkg_sunrise") is None
        assert await tx.packages.get_add_on("ao_1") is None
        await tx.packages.remove("pkg_sunrise")  # removing what is gone is a no-op


@pytest.mark.parametrize("status", list(BookingStatus))
async def test_a_package_a_booking_references_cannot_be_removed(
    uow: UnitOfWorkFactory, status: BookingStatus,
) -> None:
    await seed_package(uow)
    async with uow() as tx:
        await tx.bookings.add(booking("bk_1", status=status))
        await tx.commit()
    async with uow() as tx:
        with pytest.raises(Conflict):
            await tx.packages.remove("pkg_sunrise")
    async with uow() as tx:
        assert await tx.packages.get("pkg_sunrise") is not None


async def test_list_active_orders_by_title_then_id_and_skips_inactive(
    uow: UnitOfWorkFactory,
) -> None:
    await seed_package(
        uow,
        package("pkg_b", slug="b", title="apple"),
        package("pkg_z", slug="z", title="Meadow"),
        package("pkg_a", slug="a", title="Meadow"),
        package("pkg_c", slug="c", title="Banana"),
        package("pkg_off", slug="off", title="Aardvark", active=False),
    )
    async with uow() as tx:
        await tx.packages.add_add_on(add_on("ao_2", "pkg_a"))
        await tx.packages.add_add_on(add_on("ao_1", "pkg_a", active=False))
        await tx.packages.add_add_on(add_on("ao_3", "pkg_c"))
        await tx.commit()
    async with uow() as tx:
        active = await tx.packages.list_active()
    # Plain code-point order: capitals before lower case, whatever the server's locale.
    assert [p.id for p in active] == ["pkg_c", "pkg_a", "pkg_z", "pkg_b"]
    add_ons = {p.id: [a.id for a in p.add_ons] for p in active}
    # Every add-on, the inactive one too, in the order it was added.
    assert add_ons == {"pkg_c": ["ao_3"], "pkg_a": ["ao_2", "ao_1"], "pkg_z": [], "pkg_b": []}


async def test_an_add_on_for_a_missing_package_is_not_found(uow: UnitOfWorkFactory) -> None:
    async with uow() as tx:
        with pytest.raises(NotFound):
            await tx.packages.add_add_on(add_on("ao_1", "pkg_nope"))


async def test_an_add_on_id_can_only_be_added_once(uow: UnitOfWorkFactory) -> None:
    await seed_package(uow)
    async with uow() as tx:
        await tx.packages.add_add_on(add_on("ao_1"))
        await tx.commit()
    async with uow() as tx:
        with pytest.raises(Conflict):
            await tx.packages.add_add_on(add_on("ao_1", title="Again"))


async def test_an_updated_add_on_keeps_its_place(uow: UnitOfWorkFactory) -> None:
    await seed_package(uow)
    async with uow() as tx:
        for id in ("ao_1", "ao_2", "ao_3"):
            await tx.packages.add_add_on(add_on(id))
        await tx.commit()
    changed = add_on("ao_1", title="Peonies", price_cents=7_500, active=False)
    async with uow() as tx:
        await tx.packages.update_add_on(changed)
        await tx.commit()
    async with uow() as tx:
        assert await tx.packages.get_add_on("ao_1") == changed
        stored = await tx.packages.get("pkg_sunrise")
    assert stored is not None
    assert stored.add_ons == (changed, add_on("ao_2"), add_on("ao_3"))


async def test_an_add_on_stays_with_its_package(uow: UnitOfWorkFactory) -> None:
    await seed_package(uow, package(), package("pkg_dusk", slug="dusk", title="Dusk"))
    async with uow() as tx:
        await tx.packages.add_add_on(add_on("ao_1"))
        await tx.commit()
    async with uow() as tx:
        # A revision naming another (or no longer existing) package does not move it.
        await tx.packages.update_add_on(add_on("ao_1", "pkg_dusk", title="Moved?"))
        await tx.packages.update_add_on(add_on("ao_1", "pkg_gone", title="Renamed"))
        await tx.commit()
    async with uow() as tx:
        assert await tx.packages.get_add_on("ao_1") == add_on("ao_1", title="Renamed")
        dusk = await tx.packages.get("pkg_dusk")
    assert dusk is not None
    assert dusk.add_ons == ()


async def test_updating_a_missing_add_on_is_not_found(uow: UnitOfWorkFactory) -> None:
    await seed_package(uow)
    async with uow() as tx:
        with pytest.raises(NotFound):
            await tx.packages.update_add_on(add_on("ao_nope"))


async def test_a_removed_add_on_is_gone(uow: UnitOfWorkFactory) -> None:
    await seed_package(uow)
    async with uow() as tx:
        await tx.packages.add_add_on(add_on("ao_1"))
        await tx.packages.add_add_on(add_on("ao_2"))
        await tx.commit()
    async with uow() as tx:
        await tx.packages.remove_add_on("ao_1")
        await tx.packages.remove_add_on("ao_nope")  # a no-op
        await tx.commit()
    async with uow() as tx:
        assert await tx.packages.get_add_on("ao_1") is None
        stored = await tx.packages.get("pkg_sunrise")
    assert stored is not None
    assert stored.add_ons == (add_on("ao_2"),)
