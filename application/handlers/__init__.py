"""One handler per command: `async def (command, *, ports...)`, its ports bound by name in
bootstrap. COMMAND_HANDLERS maps each command to its one handler."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from application import commands as c
from application.handlers import (
    abandon_checkout,
    admin_access,
    admin_bookings,
    blackouts,
    catalog_admin,
    checkout,
    dead_letters,
    reconcile,
    stripe_webhook,
)

COMMAND_HANDLERS: dict[type[c.Command], Callable[..., Any]] = {
    c.CreateCheckout: checkout.create_checkout,
    c.AbandonCheckout: abandon_checkout.abandon_checkout,
    c.RecordStripeEvent: stripe_webhook.record_stripe_event,
    c.ReplayStripeEvent: stripe_webhook.replay_stripe_event,
    c.ReconcileHolds: reconcile.reconcile_holds,
    c.ReplayDeadLetters: dead_letters.replay_dead_letters,
    c.LogIn: admin_access.log_in,
    c.CreateAdmin: admin_access.create_admin,
    c.CancelBooking: admin_bookings.cancel_booking,
    c.AddBlackout: blackouts.add_blackout,
    c.RemoveBlackout: blackouts.remove_blackout,
    c.CreatePackage: catalog_admin.create_package,
    c.RevisePackage: catalog_admin.revise_package,
    c.RemovePackage: catalog_admin.remove_package,
    c.AddAddOn: catalog_admin.add_add_on,
    c.ReviseAddOn: catalog_admin.revise_add_on,
    c.RemoveAddOn: catalog_admin.remove_add_on,
}
