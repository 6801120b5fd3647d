"""The inbox record of one verified Stripe event, and who may process it now."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from enum import StrEnum


class WebhookStatus(StrEnum):
    PENDING = "PENDING"
    PROCESSED = "PROCESSED"
    FAILED = "FAILED"
    # Verified and recorded, but its effect had already been produced by another event
    # (e.g. `async_payment_succeeded` after `completed`, or the reconciler got there first).
    DUPLICATE = "DUPLICATE"


class ClaimOutcome(StrEnum):
    WORK = "work"  # this delivery must do the work
    DONE = "done"  # the work is done: answer 2xx, change nothing
    BUSY = "busy"  # another delivery is doing it right now: answer non-2xx so Stripe retries


@dataclass(frozen=True)
class WebhookEvent:
    event_id: str
    event_type: str
    raw_payload: str
    status: WebhookStatus
    attempts: int
    last_error: str | None
    processed_at: dt.datetime | None
    created_at: dt.datetime
    # A lease, not a lock: a worker that dies mid-way lets the next delivery take over.
    claimed_until: dt.datetime | None = None
    # The processor (a running process) that claimed it; None when it could not say. While
    # that processor is known to be gone, its lease binds nobody.
    claimed_by: str | None = None

    @classmethod
    def first_delivery(
        cls, event_id: str, event_type: str, raw_payload: str, now: dt.datetime,
        lease: dt.timedelta, claimant: str | None = None,
    ) -> WebhookEvent:
        return cls(
            event_id=event_id, event_type=event_type, raw_payload=raw_payload,
            status=WebhookStatus.PENDING, attempts=1, last_error=None, processed_at=None,
            created_at=now, claimed_until=now + lease, claimed_by=claimant,
        )

    @property
    def in_progress(self) -> bool:
        """Claimed by a delivery that may still be working on it (its lease runs)."""
        return self.status is WebhookStatus.PENDING and self.claimed_until is not None

    def redelivered(
        self, now: dt.datetime, lease: dt.timedelta, claimant: str | None = None, *,
        claimant_gone: bool = False,
    ) -> tuple[WebhookEvent, ClaimOutcome]:
        """What a further delivery (or an admin replay) of this event may do.

        A FAILED event is processed again - never swallowed as a duplicate - and so is a
        PENDING one whose worker's lease ran out, or whose worker is known to be gone
        (`claimant_gone`: it crashed, or lost the database mid-way).
        """
        counted = replace(self, attempts=self.attempts + 1)
        if self.status in (WebhookStatus.PROCESSED, WebhookStatus.DUPLICATE):
            return counted, ClaimOutcome.DONE
        if (self.in_progress and self.claimed_until is not None and now < self.claimed_until
                and not claimant_gone):
            return counted, ClaimOutcome.BUSY
        return replace(
            counted, status=WebhookStatus.PENDING, claimed_until=now + lease,
            claimed_by=claimant,
        ), ClaimOutcome.WORK

    def processed(self, now: dt.datetime, *, duplicate: bool = False) -> WebhookEvent:
        status = WebhookStatus.DUPLICATE if duplicate else WebhookStatus.PROCESSED
        return replace(
            self, status=status, processed_at=now, last_error=None, claimed_until=None,
            claimed_by=None,
        )

    def failed(self, error: str) -> WebhookEvent:
        return replace(
            self, status=WebhookStatus.FAILED, last_error=error[:2000], claimed_until=None,
            claimed_by=None,
        )
