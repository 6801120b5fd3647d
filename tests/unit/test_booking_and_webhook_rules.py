"""A booking's status only moves forward; a redelivered webhook event does what its record
allows (pure domain)."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pytest

from domain.booking import Booking, BookingStatus
from domain.errors import Conflict
from domain.event_date import EventDate
from domain.events import BookingCanceled, BookingRefunded
from domain.money import Money
from domain.webhook_event import ClaimOutcome, WebhookEvent, WebhookStatus

NOW = dt.datetime(2026, 3, 1, 12, 0, tzinfo=dt.UTC)
LEASE = dt.timedelta(minutes=2)


def paid_booking() -> Booking:
    return Booking(
        id="bk_1", package_id="pkg_1", couple_name="Ada & Grace", email="ada@example.com",
        phone=None, event_date=EventDate(dt.date(2026, 6, 20)), add_ons=(),
        total=Money(180_000), status=BookingStatus.PAID, created_at=NOW, session_id="cs_1",
        payment_intent_id="pi_1", correlation_id="corr-1",
    )


def test_a_paid_booking_holds_its_date() -> None:
    assert paid_booking().holds_its_date


def test_a_refund_moves_a_paid_booking_to_refunded_frees_the_date_and_says_so() -> None:
    booking = paid_booking()
    booking.mark_refunded()
    assert booking.status is BookingStatus.REFUNDED
    assert not booking.holds_its_date
    assert booking.events == [BookingRefunded(
        correlation_id="corr-1", booking_id="bk_1", session_id="cs_1", event_date="2026-06-20",
        email="ada@example.com", couple_name="Ada & Grace", amount_cents=180_000)]


def test_a_second_refund_changes_nothing_and_announces_nothing() -> None:
    booking = paid_booking()
    booking.mark_refunded()
    booking.mark_refunded()
    assert booking.status is BookingStatus.REFUNDED
    assert len(booking.events) == 1


def test_a_refund_seen_after_a_cancellation_leaves_the_booking_canceled() -> None:
    booking = paid_booking()
    booking.cancel(refund=False)
    booking.mark_refunded()
    assert booking.status is BookingStatus.CANCELED
    assert [type(e) for e in booking.events] == [BookingCanceled]


def test_canceling_frees_the_date_and_records_whether_money_went_back() -> None:
    booking = paid_booking()
    booking.cancel(refund=True)
    assert booking.status is BookingStatus.CANCELED
    assert not booking.holds_its_date
    assert booking.events == [BookingCanceled(
        correlation_id="corr-1", booking_id="bk_1", session_id="cs_1", event_date="2026-06-20",
        email="ada@example.com", couple_name="Ada & Grace", refunded_cents=180_000)]


def test_canceling_twice_is_a_conflict() -> None:
    booking = paid_booking()
    booking.cancel(refund=False)
    with pytest.raises(Conflict):
        booking.cancel(refund=False)
    assert booking.status is BookingStatus.CANCELED


def test_a_refunded_booking_cannot_be_canceled() -> None:
    booking = paid_booking()
    booking.mark_refunded()
    with pytest.raises(Conflict):
        booking.cancel(refund=True)
    assert booking.status is BookingStatus.REFUNDED


def recorded(status: WebhookStatus, attempts: int = 1,
             claimed_until: dt.datetime | None = None) -> WebhookEvent:
    first = WebhookEvent.first_delivery("evt_1", "checkout.session.completed", "{}", NOW, LEASE)
    return replace(first, status=status, attempts=attempts, claimed_until=claimed_until,
                   last_error="boom" if status is WebhookStatus.FAILED else None)


def test_a_first_delivery_is_pending_counted_once_and_leased() -> None:
    event = WebhookEvent.first_delivery("evt_1", "checkout.session.completed", "{}", NOW, LEASE)
    assert event.status is WebhookStatus.PENDING
    assert event.attempts == 1
    assert event.claimed_until == NOW + LEASE


def test_a_redelivered_processed_event_is_done_and_counted() -> None:
    event, outcome = recorded(WebhookStatus.PROCESSED, attempts=3).redelivered(NOW, LEASE)
    assert outcome is ClaimOutcome.DONE
    assert event.attempts == 4
    assert event.status is WebhookStatus.PROCESSED


def test_a_redelivered_duplicate_event_is_done() -> None:
    _, outcome = recorded(WebhookStatus.DUPLICATE).redelivered(NOW, LEASE)
    assert outcome is ClaimOutcome.DONE


def test_a_redelivery_while_another_worker_holds_the_lease_is_busy() -> None:
    busy = recorded(WebhookStatus.PENDING, claimed_until=NOW + dt.timedelta(seconds=30))
    event, outcome = busy.redelivered(NOW, LEASE)
    assert outcome is ClaimOutcome.BUSY
    assert event.attempts == 2
    assert event.claimed_until == busy.claimed_until  # the worker keeps its lease


def test_a_redelivery_after_the_workers_lease_lapsed_takes_over_the_work() -> None:
    abandoned = recorded(WebhookStatus.PENDING, claimed_until=NOW - dt.timedelta(seconds=1))
    event, outcome = abandoned.redelivered(NOW, LEASE)
    assert outcome is ClaimOutcome.WORK
    assert event.status is WebhookStatus.PENDING
    assert event.claimed_until == NOW + LEASE
    assert event.attempts == 2


def test_a_redelivery_takes_over_at_once_when_the_claiming_processor_is_gone() -> None:
    first = WebhookEvent.first_delivery("evt_1", "checkout.session.completed", "{}", NOW,
                                        LEASE, "pg:1")
    assert first.claimed_by == "pg:1"
    event, outcome = first.redelivered(NOW, LEASE, "pg:2", claimant_gone=True)
    assert outcome is ClaimOutcome.WORK
    assert (event.claimed_by, event.claimed_until) == ("pg:2", NOW + LEASE)
    # While it lives, its lease holds.
    _, outcome = first.redelivered(NOW, LEASE, "pg:2", claimant_gone=False)
    assert outcome is ClaimOutcome.BUSY


def test_a_settled_event_names_no_claimant() -> None:
    first = WebhookEvent.first_delivery("evt_1", "checkout.session.completed", "{}", NOW,
                                        LEASE, "pg:1")
    assert first.processed(NOW).claimed_by is None
    assert first.failed("boom").claimed_by is None


def test_a_lease_that_ends_exactly_now_has_lapsed() -> None:
    _, outcome = recorded(WebhookStatus.PENDING, claimed_until=NOW).redelivered(NOW, LEASE)
    assert outcome is ClaimOutcome.WORK


def test_a_failed_event_is_worked_again_never_swallowed_as_a_duplicate() -> None:
    event, outcome = recorded(WebhookStatus.FAILED, attempts=2).redelivered(NOW, LEASE)
    assert outcome is ClaimOutcome.WORK
    assert event.status is WebhookStatus.PENDING
    assert event.attempts == 3
    assert event.claimed_until == NOW + LEASE


def test_processing_clears_the_error_and_the_lease() -> None:
    done = recorded(WebhookStatus.FAILED).processed(NOW)
    assert (done.status, done.last_error, done.claimed_until, done.processed_at) == (
        WebhookStatus.PROCESSED, None, None, NOW)


def test_a_failure_keeps_its_reason_and_frees_the_lease() -> None:
    failed = recorded(WebhookStatus.PENDING, claimed_until=NOW + LEASE).failed("db timeout")
    assert (failed.status, failed.last_error, failed.claimed_until) == (
        WebhookStatus.FAILED, "db timeout", None)
