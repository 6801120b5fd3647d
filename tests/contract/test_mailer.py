"""The Mailer contract, run on the file sink and on Postmark (against FakePostmark over a real
port); then what only Postmark does - its exact request, and which failures are retried -
the templates' text and escaped HTML, and how email_couple handles a message refused for good."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from adapters.memory.store import MemoryStore
from adapters.memory.unit_of_work import memory_uow_factory
from adapters.postmark.postmark_mailer import MailServiceUnavailable, PostmarkMailer
from adapters.settable_clock import SettableClock
from adapters.stand_ins.file_mail_sink import FileMailSink
from adapters.telemetry.otel_tracing import OtelTracing
from adapters.telemetry.prometheus_metrics import PrometheusMetrics
from application import mail_templates
from application.ports.mail import Mailer, MailMessage, MailRejected
from application.subscribers.email_couple import email_couple
from domain.events import BookingCanceled, BookingPaid, BookingRefunded, PaidSessionRefunded
from domain.paid_session import RefundReason
from domain.timeline import TimelineKind
from tests.fakes.local_server import free_port
from tests.fakes.postmark_server import FakePostmark, fake_postmark

TOKEN = "pm-server-token-5ecret"
SENDER = "bookings@elope.example"
MESSAGE = MailMessage(to="ada@example.com", subject="Your elopement on 2026-06-20 is booked",
                      text="Dear Ada,\n\nconfirmed.\n", html="<p>Dear Ada,</p><p>confirmed.</p>",
                      template="confirmation")


@dataclass(frozen=True)
class Delivered:
    to: str
    subject: str
    text: str
    html: str


@dataclass(frozen=True)
class Rig:
    kind: str
    mailer: Mailer
    delivered: Callable[[], list[Delivered]]


def _sink_delivered(sink: FileMailSink) -> list[Delivered]:
    found = []
    for eml in sink.sent():
        head, text = eml.read_text(encoding="utf-8").split("\n\n", 1)
        fields = dict(line.split(": ", 1) for line in head.splitlines())
        html = eml.with_suffix(".html")
        found.append(Delivered(fields["To"], fields["Subject"], text,
                               html.read_text(encoding="utf-8") if html.exists() else ""))
    return found


def _postmark_delivered(fake: FakePostmark) -> list[Delivered]:
    return [Delivered(e["To"], e["Subject"], e["TextBody"], e.get("HtmlBody", ""))
            for e in fake.emails()]


@asynccontextmanager
async def _postmark(token: str = TOKEN, **options: Any) -> AsyncIterator[tuple[FakePostmark, PostmarkMailer]]:
    with fake_postmark(TOKEN) as (fake, url):
        mailer = PostmarkMailer(token, SENDER, api_base=url, **options)
        try:
            yield fake, mailer
        finally:
            await mailer.close()


@pytest.fixture(params=["file_sink", "postmark"])
async def rig(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Rig]:
    if request.param == "file_sink":
        sink = FileMailSink(tmp_path / "mail", SENDER)
        yield Rig("file_sink", sink, lambda: _sink_delivered(sink))
        return
    async with _postmark() as (fake, mailer):
        yield Rig("postmark", mailer, lambda: _postmark_delivered(fake))


async def test_a_message_is_delivered_with_its_recipient_subject_text_and_html(rig: Rig) -> None:
    await rig.mailer.send(MESSAGE, "booking:bk_1:confirmation")
    assert rig.delivered() == [Delivered(MESSAGE.to, MESSAGE.subject, MESSAGE.text, MESSAGE.html)]


async def test_a_text_only_message_is_delivered_without_html(rig: Rig) -> None:
    await rig.mailer.send(MailMessage("ada@example.com", "Hello", "Just text.\n"), "k:text")
    assert rig.delivered() == [Delivered("ada@example.com", "Hello", "Just text.\n", "")]


async def test_each_send_is_delivered_but_a_repeated_key_only_by_postmark(rig: Rig) -> None:
    # The contract is delivery, not deduplication: the file sink happens to keep one file per
    # key, but Postmark has no idempotency key and sends twice. Only the sent-mail log, which
    # email_couple reads before sending, stops a second email everywhere.
    for key in ("booking:bk_1:confirmation", "booking:bk_1:confirmation", "booking:bk_2:x"):
        await rig.mailer.send(MESSAGE, key)
    assert len(rig.delivered()) == {"file_sink": 2, "postmark": 3}[rig.kind]


@pytest.fixture
async def postmark() -> AsyncIterator[tuple[FakePostmark, PostmarkMailer]]:
    async with _postmark(timeout_seconds=0.5) as pair:
        yield pair


async def test_postmark_gets_its_email_api_request(
    postmark: tuple[FakePostmark, PostmarkMailer],
) -> None:
    fake, mailer = postmark
    await mailer.send(MESSAGE, "booking:bk_1:confirmation")
    [request] = fake.requests
    assert (request.method, request.path) == ("POST", "/email")
    assert request.headers["x-postmark-server-token"] == TOKEN
    assert request.headers["accept"] == "application/json"
    assert request.headers["content-type"] == "application/json"
    assert request.body == {
        "From": SENDER, "To": MESSAGE.to, "Subject": MESSAGE.subject, "TextBody": MESSAGE.text,
        "HtmlBody": MESSAGE.html, "MessageStream": "outbound", "Tag": "confirmation",
        "Metadata": {"idempotency_key": "booking:bk_1:confirmation"},
    }


async def test_postmark_sends_on_the_configured_stream_and_omits_what_is_empty() -> None:
    async with _postmark(message_stream="transactional") as (fake, mailer):
        await mailer.send(MailMessage("ada@example.com", "Hello", "Just text."), "k:1")
    [request] = fake.requests
    assert request.body == {"From": SENDER, "To": "ada@example.com", "Subject": "Hello",
                            "TextBody": "Just text.", "MessageStream": "transactional",
                            "Metadata": {"idempotency_key": "k:1"}}


def _assert_tells_no_secrets(error: BaseException) -> None:
    while error is not None:
        assert TOKEN not in str(error) and TOKEN not in repr(error)
        assert MESSAGE.to not in str(error)
        error = error.__cause__ or error.__context__  # type: ignore[assignment]


@pytest.mark.parametrize(("status", "error_code", "raised"), [
    (422, 300, MailRejected),  # invalid email request
    (422, 406, MailRejected),  # inactive recipient
    (400, 300, MailRejected),
    (429, 429, MailServiceUnavailable),
    (500, 0, MailServiceUnavailable),
    (503, 100, MailServiceUnavailable),
    (401, 10, MailServiceUnavailable),  # a fixed token sends the same message
    (422, 405, MailServiceUnavailable),  # the account may not send: configuration, not message
])
async def test_postmark_failures_are_rejections_or_worth_retrying(
    postmark: tuple[FakePostmark, PostmarkMailer], status: int, error_code: int,
    raised: type[Exception],
) -> None:
    fake, mailer = postmark
    fake.respond_next(status, error_code)
    with pytest.raises(raised) as caught:
        await mailer.send(MESSAGE, "booking:bk_1:confirmation")
    assert f"HTTP {status}" in str(caught.value)
    _assert_tells_no_secrets(caught.value)
    if raised is MailRejected:
        assert f"ErrorCode {error_code}" in str(caught.value)
    await mailer.send(MESSAGE, "booking:bk_1:confirmation")  # only the next one failed
    assert len(fake.emails()) == 1


async def test_postmark_refusing_the_token_is_worth_retrying() -> None:
    async with _postmark("not-the-token") as (fake, mailer):
        with pytest.raises(MailServiceUnavailable) as caught:
            await mailer.send(MESSAGE, "k:1")
        with pytest.raises(MailServiceUnavailable):
            await mailer.check_access()
    assert "HTTP 401" in str(caught.value) and "not-the-token" not in str(caught.value)
    assert fake.emails() == []


async def test_a_postmark_slower_than_the_timeout_is_worth_retrying(
    postmark: tuple[FakePostmark, PostmarkMailer],
) -> None:
    fake, mailer = postmark
    fake.delay_seconds = 1.5  # the mailer waits 0.5
    with pytest.raises(MailServiceUnavailable) as caught:
        await mailer.send(MESSAGE, "k:1")
    _assert_tells_no_secrets(caught.value)
    # Postmark may well have sent it: one more duplicate that only the sent-mail log prevents.
    assert len(fake.emails()) == 1


async def test_a_postmark_nobody_listens_for_is_worth_retrying() -> None:
    mailer = PostmarkMailer(TOKEN, SENDER, api_base=f"http://127.0.0.1:{free_port()}")
    try:
        with pytest.raises(MailServiceUnavailable) as caught:
            await mailer.send(MESSAGE, "k:1")
    finally:
        await mailer.close()
    _assert_tells_no_secrets(caught.value)


async def test_the_access_check_names_the_server_and_not_the_token(
    postmark: tuple[FakePostmark, PostmarkMailer],
) -> None:
    fake, mailer = postmark
    said = await mailer.check_access()
    assert said == "Postmark token accepted (server 'Elope test server')"
    assert [(r.method, r.path) for r in fake.requests] == [("GET", "/server")]


EVIL = '<script>alert(1)</script> & "Bob"'
COMMON: dict[str, Any] = {"correlation_id": "corr-1", "session_id": "cs_<1>", "email": "ada@example.com",
                          "event_date": "2026-06-20", "couple_name": EVIL}


def _refund(reason: RefundReason) -> mail_templates.CoupleEmail:
    return mail_templates.paid_session_refund(PaidSessionRefunded(
        amount_cents=150_000, refund_id="re_<1>", reason=reason.value, **COMMON))


EVERY_TEMPLATE = [
    ("confirmation", mail_templates.confirmation(
        BookingPaid(booking_id="bk_<1>", total_cents=150_000, **COMMON))),
    ("cancellation", mail_templates.cancellation(
        BookingCanceled(booking_id="bk_<1>", refunded_cents=99, **COMMON))),
    ("booking_refund", mail_templates.booking_refund(
        BookingRefunded(booking_id="bk_<1>", amount_cents=99, **COMMON))),
    *(("paid_session_refund", _refund(reason)) for reason in RefundReason),
]


@pytest.mark.parametrize(("template", "email"), EVERY_TEMPLATE)
def test_every_template_has_text_and_html_with_every_value_escaped(
    template: str, email: mail_templates.CoupleEmail,
) -> None:
    message = email.message
    assert message.template == template
    assert EVIL in message.text and "<script>" not in message.html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;Bob&quot;" in message.html
    assert "_<1>" not in message.html and "_&lt;1&gt;" in message.html  # ids escaped too
    assert message.html.startswith("<!DOCTYPE html>") and "2026-06-20" in message.html


def test_a_refund_for_a_wrong_amount_says_so_kindly() -> None:
    message = _refund(RefundReason.AMOUNT_MISMATCH).message
    assert "different amount or currency), so we did not book 2026-06-20" in message.text
    assert "find you another date" not in message.text
    assert "1500.00" in message.text and "1500.00 USD" in message.html


class RefusingMailer:
    """A mail service failing every send with `error` (the adapters' mappings are tested above)."""

    provider = "refusing"

    def __init__(self, error: Exception) -> None:
        self.error = error
        self.calls = 0

    async def send(self, message: MailMessage, idempotency_key: str) -> None:
        self.calls += 1
        raise self.error


PAID = BookingPaid(correlation_id="corr-1", booking_id="bk_1", session_id="cs_1",
                   event_date="2026-06-20", email="ada@example.com", couple_name="Ada & Grace",
                   total_cents=100)
NOW = dt.datetime(2026, 1, 5, 12, tzinfo=dt.UTC)


async def test_a_refused_email_is_recorded_counted_and_never_retried(
    caplog: pytest.LogCaptureFixture,
) -> None:
    uow, metrics = memory_uow_factory(MemoryStore()), PrometheusMetrics()
    mailer = RefusingMailer(MailRejected(
        "Postmark refused the message (HTTP 422, ErrorCode 406: inactive recipient)"))
    with caplog.at_level(logging.WARNING):
        for _ in range(2):  # the outbox delivering the event twice; neither raises
            await email_couple(PAID, uow=uow, mailer=mailer, clock=SettableClock(NOW),
                               metrics=metrics, tracing=OtelTracing())

    assert mailer.calls == 1
    async with uow() as tx:
        assert await tx.sent_mail.was_sent("booking:bk_1:confirmation")
        [entry] = await tx.timeline.for_session("cs_1")
    assert (entry.kind, entry.at, entry.correlation_id) == (TimelineKind.EMAIL, NOW, "corr-1")
    assert "refused by the mail service" in entry.detail and "inactive recipient" in entry.detail
    assert metrics.registry.get_sample_value("elope_mail_rejected_total") == 1
    [warning] = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert "ada@example.com" not in entry.detail + warning.getMessage()


async def test_an_email_the_mail_service_could_not_take_is_left_for_the_outbox_to_retry() -> None:
    uow, metrics = memory_uow_factory(MemoryStore()), PrometheusMetrics()
    mailer = RefusingMailer(MailServiceUnavailable("Postmark did not accept the request (HTTP 503)"))
    with pytest.raises(MailServiceUnavailable):
        await email_couple(PAID, uow=uow, mailer=mailer, clock=SettableClock(NOW), metrics=metrics,
                           tracing=OtelTracing())
    async with uow() as tx:
        assert not await tx.sent_mail.was_sent("booking:bk_1:confirmation")
        # The failed attempt is on the timeline, so the admin sees why no email came yet.
        [entry] = await tx.timeline.for_session("cs_1")
    assert (entry.kind, entry.correlation_id) == (TimelineKind.EMAIL, "corr-1")
    assert entry.detail == ("email 'Your elopement on 2026-06-20 is booked' could not be sent"
                            " (MailServiceUnavailable); it will be tried again")
    assert metrics.registry.get_sample_value("elope_mail_rejected_total") == 0
