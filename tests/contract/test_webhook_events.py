"""WebhookEventRepository: one record per event id, ever; newest-first pages."""

from __future__ import annotations

import dataclasses

import pytest

from application.ports.unit_of_work import UnitOfWorkFactory
from application.ports.webhook_events import WebhookCursor
from domain.errors import NotFound
from domain.webhook_event import WebhookEvent, WebhookStatus
from tests.contract.samples import at, webhook_event

PENDING, PROCESSED, FAILED = WebhookStatus.PENDING, WebhookStatus.PROCESSED, WebhookStatus.FAILED


async def _added(uow: UnitOfWorkFactory, *events: WebhookEvent) -> None:
    async with uow() as tx:
        for e in events:
            assert await tx.webhook_events.add(e) is True
        await tx.commit()


async def test_a_first_delivery_is_added_and_reads_back(uow: UnitOfWorkFactory) -> None:
    await _added(uow, webhook_event("evt_1"))
    async with uow() as tx:
        assert await tx.webhook_events.get_for_update("evt_1") == webhook_event("evt_1")
        assert await tx.webhook_events.get_for_update("evt_nope") is None


async def test_a_known_id_is_not_added_again_and_nothing_is_written(
    uow: UnitOfWorkFactory,
) -> None:
    await _added(uow, webhook_event("evt_1"))
    again = dataclasses.replace(webhook_event("evt_1", created_at=at(5)), raw_payload="{}",
                                attempts=7, status=FAILED)
    async with uow() as tx:
        assert await tx.webhook_events.add(again) is False
        # Still usable after the refusal, and the record is the first one.
        assert await tx.webhook_events.get_for_update("evt_1") == webhook_event("evt_1")
        await tx.commit()
    async with uow() as tx:
        assert await tx.webhook_events.get_for_update("evt_1") == webhook_event("evt_1")


async def test_save_stores_the_new_state(uow: UnitOfWorkFactory) -> None:
    await _added(uow, webhook_event("evt_1"))
    async with uow() as tx:
        stored = await tx.webhook_events.get_for_update("evt_1")
        assert stored is not None
        failed = dataclasses.replace(stored.failed("boom"), attempts=2)
        await tx.webhook_events.save(failed)
        await tx.commit()
    async with uow() as tx:
        assert await tx.webhook_events.get_for_update("evt_1") == failed
        done = failed.processed(at(3))
        await tx.webhook_events.save(done)
        await tx.commit()
    async with uow() as tx:
        assert await tx.webhook_events.get_for_update("evt_1") == done


async def test_save_changes_the_processing_state_only(uow: UnitOfWorkFactory) -> None:
    await _added(uow, webhook_event("evt_1"))
    processed = webhook_event("evt_1").processed(at(3))
    async with uow() as tx:
        # What Stripe sent, and when it first arrived, is history: save never rewrites it.
        await tx.webhook_events.save(dataclasses.replace(
            processed, event_type="charge.refunded", raw_payload="{}", created_at=at(9)))
        await tx.commit()
    async with uow() as tx:
        assert await tx.webhook_events.get_for_update("evt_1") == processed


async def test_saving_an_unknown_event_is_not_found(uow: UnitOfWorkFactory) -> None:
    async with uow() as tx:
        with pytest.raises(NotFound):
            await tx.webhook_events.save(webhook_event("evt_nope"))


# created_at ties on purpose, so the id decides between them.
_ROWS = [
    webhook_event("evt_a", created_at=at(0), status=PROCESSED),
    webhook_event("evt_b", created_at=at(5), status=FAILED),
    webhook_event("evt_c", created_at=at(5), status=PROCESSED),
    webhook_event("evt_d", created_at=at(5), status=FAILED),
    webhook_event("evt_e", created_at=at(10), status=PENDING),
]


def _ids(rows: list[WebhookEvent]) -> list[str]:
    return [e.event_id for e in rows]


async def test_page_is_newest_first_and_strictly_after_the_cursor(
    uow: UnitOfWorkFactory,
) -> None:
    await _added(uow, *_ROWS)
    async with uow() as tx:
        everything = await tx.webhook_events.page(None, 10, None)
        first = await tx.webhook_events.page(None, 2, None)
        next_ = await tx.webhook_events.page(None, 2, WebhookCursor(at(5), "evt_d"))
        last = await tx.webhook_events.page(None, 2, WebhookCursor(at(5), "evt_b"))
        beyond = await tx.webhook_events.page(None, 2, WebhookCursor(at(0), "evt_a"))
    assert _ids(everything) == ["evt_e", "evt_d", "evt_c", "evt_b", "evt_a"]
    assert everything[1] == _ROWS[3]
    assert _ids(first) == ["evt_e", "evt_d"]
    assert _ids(next_) == ["evt_c", "evt_b"]
    assert _ids(last) == ["evt_a"]
    assert beyond == []


async def test_page_filters_by_status(uow: UnitOfWorkFactory) -> None:
    await _added(uow, *_ROWS)
    async with uow() as tx:
        failed = await tx.webhook_events.page(FAILED, 10, None)
        processed_after = await tx.webhook_events.page(
            PROCESSED, 10, WebhookCursor(at(5), "evt_c"))
        duplicates = await tx.webhook_events.page(WebhookStatus.DUPLICATE, 10, None)
    assert _ids(failed) == ["evt_d", "evt_b"]
    assert _ids(processed_after) == ["evt_a"]
    assert duplicates == []


async def test_ids_with_status_are_oldest_first(uow: UnitOfWorkFactory) -> None:
    await _added(uow, webhook_event("evt_z", created_at=at(0), status=FAILED), *_ROWS)
    async with uow() as tx:
        assert await tx.webhook_events.ids_with_status(FAILED) == ["evt_z", "evt_b", "evt_d"]
        assert await tx.webhook_events.ids_with_status(PENDING) == ["evt_e"]
        assert await tx.webhook_events.ids_with_status(WebhookStatus.DUPLICATE) == []
