"""The initial schema: the booking invariant lives here, as indexes and constraints."""

from __future__ import annotations

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.table import Table

ID = "2026-11-26T16:45:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "initial schema"

STATEMENTS = [
    """CREATE TABLE IF NOT EXISTS package (
        id varchar(64) PRIMARY KEY,
        slug varchar(100) NOT NULL UNIQUE,
        title varchar(200) NOT NULL,
        description text NOT NULL,
        price_cents integer NOT NULL CHECK (price_cents >= 0),
        photo_url text,
        active boolean NOT NULL DEFAULT true,
        version integer NOT NULL DEFAULT 1,
        created_seq bigserial)""",
    """CREATE TABLE IF NOT EXISTS add_on (
        id varchar(64) PRIMARY KEY,
        package_id varchar(64) NOT NULL REFERENCES package (id) ON DELETE CASCADE,
        title varchar(200) NOT NULL,
        description text NOT NULL,
        price_cents integer NOT NULL CHECK (price_cents >= 0),
        photo_url text,
        active boolean NOT NULL DEFAULT true,
        created_seq bigserial)""",
    "CREATE INDEX IF NOT EXISTS add_on_package ON add_on (package_id, created_seq)",
    """CREATE TABLE IF NOT EXISTS customer (
        id varchar(64) PRIMARY KEY,
        email varchar(254) NOT NULL UNIQUE,
        name varchar(200) NOT NULL,
        phone varchar(40))""",
    """CREATE TABLE IF NOT EXISTS booking (
        id varchar(64) PRIMARY KEY,
        package_id varchar(64) NOT NULL REFERENCES package (id) ON DELETE RESTRICT,
        customer_id varchar(64) REFERENCES customer (id),
        couple_name varchar(200) NOT NULL,
        email varchar(254) NOT NULL,
        phone varchar(40),
        event_date date NOT NULL,
        total_cents integer NOT NULL CHECK (total_cents >= 0),
        status varchar(16) NOT NULL CHECK (status IN ('PAID', 'REFUNDED', 'CANCELED')),
        created_at timestamptz NOT NULL,
        session_id varchar(255) NOT NULL UNIQUE,
        payment_intent_id varchar(255),
        correlation_id varchar(128) NOT NULL DEFAULT '')""",
    # The invariant: at most one PAID booking per date, whatever the application does.
    """CREATE UNIQUE INDEX IF NOT EXISTS booking_one_paid_per_date
        ON booking (event_date) WHERE status = 'PAID'""",
    "CREATE INDEX IF NOT EXISTS booking_newest_first ON booking (created_at DESC, id DESC)",
    "CREATE INDEX IF NOT EXISTS booking_payment_intent ON booking (payment_intent_id)",
    "CREATE INDEX IF NOT EXISTS booking_package ON booking (package_id)",
    """CREATE TABLE IF NOT EXISTS booking_add_on (
        id bigserial PRIMARY KEY,
        booking_id varchar(64) NOT NULL REFERENCES booking (id) ON DELETE CASCADE,
        position integer NOT NULL,
        add_on_id varchar(64) NOT NULL,
        title varchar(200) NOT NULL,
        unit_price_cents integer NOT NULL CHECK (unit_price_cents >= 0))""",
    "CREATE INDEX IF NOT EXISTS booking_add_on_booking ON booking_add_on (booking_id, position)",
    """CREATE TABLE IF NOT EXISTS date_hold (
        session_id varchar(255) PRIMARY KEY,
        event_date date NOT NULL,
        expires_at timestamptz NOT NULL,
        released_at timestamptz,
        settled boolean NOT NULL DEFAULT false,
        correlation_id varchar(128) NOT NULL DEFAULT '',
        package_id varchar(64) NOT NULL DEFAULT '')""",
    # One unreleased hold per date; a lapsed one is released by the next checkout's insert.
    """CREATE UNIQUE INDEX IF NOT EXISTS date_hold_one_unreleased_per_date
        ON date_hold (event_date) WHERE released_at IS NULL""",
    """CREATE INDEX IF NOT EXISTS date_hold_unsettled
        ON date_hold (expires_at) WHERE NOT settled""",
    "CREATE INDEX IF NOT EXISTS date_hold_package ON date_hold (package_id)",
    "CREATE TABLE IF NOT EXISTS early_refund (payment_intent_id varchar(255) PRIMARY KEY)",
    """CREATE TABLE IF NOT EXISTS blackout (
        id varchar(64) PRIMARY KEY,
        date date NOT NULL UNIQUE,
        reason text)""",
    """CREATE TABLE IF NOT EXISTS webhook_event (
        event_id varchar(255) PRIMARY KEY,
        event_type varchar(255) NOT NULL,
        raw_payload text NOT NULL,
        status varchar(16) NOT NULL
            CHECK (status IN ('PENDING', 'PROCESSED', 'FAILED', 'DUPLICATE')),
        attempts integer NOT NULL,
        last_error text,
        processed_at timestamptz,
        created_at timestamptz NOT NULL,
        claimed_until timestamptz)""",
    """CREATE INDEX IF NOT EXISTS webhook_event_newest_first
        ON webhook_event (created_at DESC, event_id DESC)""",
    "CREATE INDEX IF NOT EXISTS webhook_event_status ON webhook_event (status, created_at DESC)",
    """CREATE TABLE IF NOT EXISTS timeline_entry (
        id bigserial PRIMARY KEY,
        session_id varchar(255) NOT NULL,
        at timestamptz NOT NULL,
        kind varchar(16) NOT NULL,
        detail text NOT NULL,
        correlation_id varchar(128) NOT NULL DEFAULT '')""",
    "CREATE INDEX IF NOT EXISTS timeline_entry_session ON timeline_entry (session_id, id)",
    """CREATE TABLE IF NOT EXISTS outbox_message (
        id varchar(64) PRIMARY KEY,
        seq bigserial,
        event_type varchar(100) NOT NULL,
        payload jsonb NOT NULL,
        created_at timestamptz NOT NULL,
        available_at timestamptz NOT NULL,
        claimed_until timestamptz,
        attempts integer NOT NULL DEFAULT 0,
        done_at timestamptz,
        last_error text)""",
    """CREATE INDEX IF NOT EXISTS outbox_message_due
        ON outbox_message (available_at, seq) WHERE done_at IS NULL""",
    """CREATE TABLE IF NOT EXISTS sent_mail (
        key varchar(255) PRIMARY KEY,
        sent_at timestamptz NOT NULL)""",
    """CREATE TABLE IF NOT EXISTS admin_user (
        id varchar(64) PRIMARY KEY,
        email varchar(254) NOT NULL UNIQUE,
        password_hash text NOT NULL)""",
]


class RawTable(Table):
    """Piccolo's idiom for raw SQL in a migration: a table of the migration's own, never an
    application table (those change; this file must not). No row of it is ever read or
    written; whoever applies the migration binds it to the engine that migrates."""


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="elope", description=DESCRIPTION)

    async def create_schema() -> None:
        for statement in STATEMENTS:
            await RawTable.raw(statement).run()

    manager.add_raw(create_schema)
    return manager
