"""CustomerRepository: one customer per email; the latest name and phone win."""

from __future__ import annotations

from application.ports.unit_of_work import UnitOfWorkFactory
from domain.customer import Customer


async def test_the_first_upsert_creates_the_customer_with_the_new_id(
    uow: UnitOfWorkFactory,
) -> None:
    async with uow() as tx:
        created = await tx.customers.upsert("ada@example.com", "Ada & Grace", None, "cus_1")
        await tx.commit()
    assert created == Customer("cus_1", "ada@example.com", "Ada & Grace", None)


async def test_a_later_upsert_keeps_the_id_and_updates_name_and_phone(
    uow: UnitOfWorkFactory,
) -> None:
    async with uow() as tx:
        await tx.customers.upsert("ada@example.com", "Ada & Grace", None, "cus_1")
        await tx.commit()
    async with uow() as tx:
        updated = await tx.customers.upsert("ada@example.com", "Ada & Bo", "+1 555 0100", "cus_2")
        await tx.commit()
    assert updated == Customer("cus_1", "ada@example.com", "Ada & Bo", "+1 555 0100")
    async with uow() as tx:
        cleared = await tx.customers.upsert("ada@example.com", "Ada & Bo", None, "cus_3")
    assert cleared == Customer("cus_1", "ada@example.com", "Ada & Bo", None)


async def test_different_emails_are_different_customers(uow: UnitOfWorkFactory) -> None:
    async with uow() as tx:
        first = await tx.customers.upsert("ada@example.com", "Ada", None, "cus_1")
        second = await tx.customers.upsert("grace@example.com", "Grace", None, "cus_2")
    assert (first.id, second.id) == ("cus_1", "cus_2")
