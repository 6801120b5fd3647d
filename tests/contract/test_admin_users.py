"""AdminUserRepository: one admin per email, whatever its case."""

from __future__ import annotations

from application.ports.unit_of_work import UnitOfWorkFactory
from domain.admin_user import AdminUser


async def test_an_admin_is_found_by_email_in_any_case(uow: UnitOfWorkFactory) -> None:
    async with uow() as tx:
        await tx.admin_users.upsert(AdminUser("adm_1", "admin@example.com", "hash-1"))
        await tx.commit()
    async with uow() as tx:
        for email in ("admin@example.com", "Admin@Example.COM"):
            assert await tx.admin_users.by_email(email) == AdminUser(
                "adm_1", "admin@example.com", "hash-1")
        assert await tx.admin_users.by_email("other@example.com") is None


async def test_an_upsert_replaces_the_password_and_keeps_the_admin(
    uow: UnitOfWorkFactory,
) -> None:
    async with uow() as tx:
        await tx.admin_users.upsert(AdminUser("adm_1", "admin@example.com", "hash-1"))
        await tx.commit()
    async with uow() as tx:
        await tx.admin_users.upsert(AdminUser("adm_2", "admin@example.com", "hash-2"))
        await tx.commit()
    async with uow() as tx:
        assert await tx.admin_users.by_email("admin@example.com") == AdminUser(
            "adm_1", "admin@example.com", "hash-2")


async def test_an_upsert_in_another_case_replaces_the_same_admin(uow: UnitOfWorkFactory) -> None:
    async with uow() as tx:
        await tx.admin_users.upsert(AdminUser("adm_1", "Admin@Example.com", "hash-1"))
        await tx.commit()
    async with uow() as tx:
        await tx.admin_users.upsert(AdminUser("adm_2", "admin@example.com", "hash-2"))
        await tx.commit()
    async with uow() as tx:
        # One admin, not two: the first row's id and email, the newest password.
        for email in ("admin@example.com", "Admin@Example.com", "ADMIN@EXAMPLE.COM"):
            assert await tx.admin_users.by_email(email) == AdminUser(
                "adm_1", "Admin@Example.com", "hash-2")


async def test_an_admin_is_found_by_id_with_its_current_password(uow: UnitOfWorkFactory) -> None:
    async with uow() as tx:
        await tx.admin_users.upsert(AdminUser("adm_1", "admin@example.com", "hash-1"))
        await tx.admin_users.upsert(AdminUser("adm_2", "other@example.com", "hash-2"))
        await tx.commit()
    async with uow() as tx:
        await tx.admin_users.upsert(AdminUser("adm_3", "Admin@example.com", "hash-3"))
        await tx.commit()
    async with uow() as tx:
        assert await tx.admin_users.by_id("adm_1") == AdminUser(
            "adm_1", "admin@example.com", "hash-3")
        assert await tx.admin_users.by_id("adm_2") == AdminUser(
            "adm_2", "other@example.com", "hash-2")
        # The id the second upsert proposed was not used: the admin kept its own.
        assert await tx.admin_users.by_id("adm_3") is None
        assert await tx.admin_users.by_id("") is None
