"""Which adapter talks to each outside service - Stripe, the mail service, the calendar -
and why: the one place that decides, so start-up, `elope doctor` and the wiring agree.

The mock preset uses the local stand-ins for all three (no account needed). The real preset
always uses Stripe; Postmark when POSTMARK_SERVER_TOKEN is set, else files in MAIL_SINK_DIR;
Google Calendar when GOOGLE_CALENDAR_ID and GOOGLE_SERVICE_ACCOUNT_JSON_BASE64 are set, else
the mock calendar (MOCK_CALENDAR_BUSY_DATES).
"""

from __future__ import annotations

import contextlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from adapters.google.google_calendar import GoogleCalendar
from adapters.postmark.postmark_mailer import PostmarkMailer
from adapters.stand_ins.file_mail_sink import FileMailSink
from adapters.stand_ins.local_checkout import LocalCheckout
from adapters.stand_ins.mock_calendar import MockCalendar
from adapters.stripe.stripe_checkout import StripeCheckout
from application.ports.calendar import CalendarProvider
from application.ports.mail import Mailer
from application.ports.payment import PaymentProvider
from entrypoints.settings import Settings


@dataclass(frozen=True)
class Integration:
    """One outside service: the adapter in use and one line saying which and why."""

    name: str  # payments | mail | calendar
    adapter: Any
    description: str
    real: bool  # talks to the real service (and can be checked live)

    async def check(self) -> tuple[bool, str]:
        """A live check of the real service (doctor); a stand-in has nothing to check."""
        if not self.real:
            return True, f"{self.name}: {self.description}"
        try:
            said = await self.adapter.check_access()
        except Exception as exc:  # the answer is the failure: one line, no secrets
            reason = getattr(exc, "message", None) or str(exc) or type(exc).__name__
            return False, f"{self.name}: {self.description}: {reason}"
        return True, f"{self.name}: {said}"

    async def close(self) -> None:
        closer: Callable[[], Awaitable[None]] | None = getattr(self.adapter, "close", None)
        if closer is not None:
            with contextlib.suppress(Exception):
                await closer()


def payments_integration(settings: Settings) -> Integration:
    if settings.is_mock:
        return Integration("payments", LocalCheckout(
            settings.webhook_secret, settings.base_url, success_url=settings.success_url,
            cancel_url=settings.cancel_url,
        ), "local Stripe stand-in with a pay page (mock preset)", real=False)
    assert settings.stripe_secret_key is not None  # the settings refuse the real preset without
    where = settings.stripe_api_base or "api.stripe.com"
    return Integration("payments", StripeCheckout(
        settings.stripe_secret_key.get_secret_value(), settings.webhook_secret,
        success_url=settings.success_url, cancel_url=settings.cancel_url,
        api_base=settings.stripe_api_base,
        # A couple waits on checkout: one retry of a short call, at most ~16 s in all.
        timeout_seconds=8.0, max_network_retries=1,
    ), f"Stripe at {where}", real=True)


def mail_integration(settings: Settings) -> Integration:
    token = settings.postmark_token
    if token is None or settings.is_mock:
        why = "mock preset" if settings.is_mock else "POSTMARK_SERVER_TOKEN is not set"
        return Integration("mail", FileMailSink(settings.mail_sink_dir, settings.postmark_from_email),
                           f"files under {settings.mail_sink_dir} ({why})", real=False)
    return Integration("mail", PostmarkMailer(
        token, settings.postmark_from_email, message_stream=settings.postmark_message_stream,
        api_base=settings.postmark_api_base,
    ), f"Postmark at {settings.postmark_api_base} (stream {settings.postmark_message_stream})",
        real=True)


def calendar_integration(settings: Settings) -> Integration:
    key = settings.google_service_account
    if key is None or settings.is_mock or settings.google_calendar_id is None:
        why = ("mock preset" if settings.is_mock
               else "GOOGLE_CALENDAR_ID / GOOGLE_SERVICE_ACCOUNT_JSON_BASE64 not set")
        busy = len(settings.mock_busy_dates)
        return Integration("calendar", MockCalendar(settings.mock_busy_dates),
                           f"mock calendar with {busy} busy days ({why})", real=False)
    return Integration("calendar", GoogleCalendar(
        settings.google_calendar_id, key, timezone=settings.timezone,
        api_base=settings.google_calendar_api_base,
    ), f"Google Calendar {settings.google_calendar_id} in {settings.business_timezone}",
        real=True)


@dataclass(frozen=True)
class Integrations:
    payments: Integration
    mail: Integration
    calendar: Integration

    @classmethod
    def of(cls, settings: Settings, *, payments: PaymentProvider | None = None,
           mailer: Mailer | None = None, calendar: CalendarProvider | None = None,
           ) -> Integrations:
        """The preset's adapters, or the ones given (tests), each with its description."""
        def given(name: str, adapter: Any) -> Integration:
            return Integration(name, adapter, f"{type(adapter).__name__} (given)", real=False)

        return cls(
            given("payments", payments) if payments else payments_integration(settings),
            given("mail", mailer) if mailer else mail_integration(settings),
            given("calendar", calendar) if calendar else calendar_integration(settings),
        )

    def __iter__(self) -> Any:
        return iter((self.payments, self.mail, self.calendar))

    async def close(self) -> None:
        for integration in self:
            await integration.close()
