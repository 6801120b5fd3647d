"""Piccolo tables. The DDL that creates them lives in migrations/ (it needs partial unique
indexes Piccolo cannot express); these classes only read and write the rows.

A nullable column defaults to None, as its DDL does: Piccolo's own default for a nullable
Varchar or Text is '', which an insert that leaves it out would store instead of NULL."""

from __future__ import annotations

from piccolo.columns import (
    JSONB,
    BigSerial,
    Boolean,
    Date,
    Integer,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.table import Table


class PackageRow(Table, tablename="package"):
    id = Varchar(length=64, primary_key=True)
    slug = Varchar(length=100, unique=True)
    title = Varchar(length=200)
    description = Text()
    price_cents = Integer()
    photo_url = Text(null=True, default=None)
    active = Boolean(default=True)
    version = Integer(default=1)
    created_seq = BigSerial()


class AddOnRow(Table, tablename="add_on"):
    id = Varchar(length=64, primary_key=True)
    package_id = Varchar(length=64)
    title = Varchar(length=200)
    description = Text()
    price_cents = Integer()
    photo_url = Text(null=True, default=None)
    active = Boolean(default=True)
    created_seq = BigSerial()


class CustomerRow(Table, tablename="customer"):
    id = Varchar(length=64, primary_key=True)
    email = Varchar(length=254, unique=True)
    name = Varchar(length=200)
    phone = Varchar(length=40, null=True, default=None)


class BookingRow(Table, tablename="booking"):
    id = Varchar(length=64, primary_key=True)
    package_id = Varchar(length=64)
    customer_id = Varchar(length=64, null=True, default=None)
    couple_name = Varchar(length=200)
    email = Varchar(length=254)
    phone = Varchar(length=40, null=True, default=None)
    event_date = Date()
    total_cents = Integer()
    status = Varchar(length=16)
    created_at = Timestamptz()
    session_id = Varchar(length=255, unique=True)
    payment_intent_id = Varchar(length=255, null=True, default=None)
    correlation_id = Varchar(length=128)
    calendar_event_id = Varchar(length=1024, null=True, default=None)


class BookingAddOnRow(Table, tablename="booking_add_on"):
    id = BigSerial(primary_key=True)
    booking_id = Varchar(length=64)
    position = Integer()
    add_on_id = Varchar(length=64)
    title = Varchar(length=200)
    unit_price_cents = Integer()


class HoldRow(Table, tablename="date_hold"):
    session_id = Varchar(length=255, primary_key=True)
    event_date = Date()
    expires_at = Timestamptz()
    released_at = Timestamptz(null=True, default=None)
    settled = Boolean(default=False)
    correlation_id = Varchar(length=128)
    package_id = Varchar(length=64)
    reconcile_after = Timestamptz(null=True, default=None)
    email = Varchar(length=254, default="")
    client = Varchar(length=64, default="")


class EarlyRefundRow(Table, tablename="early_refund"):
    payment_intent_id = Varchar(length=255, primary_key=True)


class BlackoutRow(Table, tablename="blackout"):
    id = Varchar(length=64, primary_key=True)
    date = Date(unique=True)
    reason = Text(null=True, default=None)


class WebhookEventRow(Table, tablename="webhook_event"):
    event_id = Varchar(length=255, primary_key=True)
    event_type = Varchar(length=255)
    raw_payload = Text()
    status = Varchar(length=16)
    attempts = Integer()
    last_error = Text(null=True, default=None)
    processed_at = Timestamptz(null=True, default=None)
    created_at = Timestamptz()
    claimed_until = Timestamptz(null=True, default=None)
    claimed_by = Varchar(length=32, null=True, default=None)


class TimelineRow(Table, tablename="timeline_entry"):
    id = BigSerial(primary_key=True)
    session_id = Varchar(length=255)
    at = Timestamptz()
    kind = Varchar(length=16)
    detail = Text()
    correlation_id = Varchar(length=128)
    trace_id = Varchar(length=32, null=True, default=None)
    stripe_event_id = Varchar(length=255, null=True, default=None)


class OutboxRow(Table, tablename="outbox_message"):
    id = Varchar(length=64, primary_key=True)
    seq = BigSerial()
    event_type = Varchar(length=100)
    payload = JSONB()
    created_at = Timestamptz()
    available_at = Timestamptz()
    claimed_until = Timestamptz(null=True, default=None)
    attempts = Integer(default=0)
    done_at = Timestamptz(null=True, default=None)
    last_error = Text(null=True, default=None)
    traceparent = Varchar(length=55, null=True, default=None)


class SentMailRow(Table, tablename="sent_mail"):
    key = Varchar(length=255, primary_key=True)
    sent_at = Timestamptz()


class AdminUserRow(Table, tablename="admin_user"):
    id = Varchar(length=64, primary_key=True)
    email = Varchar(length=254, unique=True)
    password_hash = Text()


ALL_TABLES: tuple[type[Table], ...] = (
    PackageRow, AddOnRow, CustomerRow, BookingRow, BookingAddOnRow, HoldRow, EarlyRefundRow,
    BlackoutRow, WebhookEventRow, TimelineRow, OutboxRow, SentMailRow, AdminUserRow,
)

