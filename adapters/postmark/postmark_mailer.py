"""The Mailer over Postmark's email API (`POST /email`), with one shared HTTP client.

What a failure means decides what the outbox does with it: a message Postmark refuses for
what it *is* (a malformed or inactive address) raises `MailRejected` and is never retried;
anything that fixing the service or our configuration would cure - an outage, a rate limit, a
timeout, a refused token, an account that may not send - raises `MailServiceUnavailable`, and
the outbox retries it with back-off. No exception names the token or an email address."""

from __future__ import annotations

from typing import Any

import httpx

from application.ports.mail import MailMessage, MailRejected

# Postmark's ErrorCodes that are about the account or our configuration, not the message:
# once fixed, the same message goes through, so it is worth retrying.
_NOT_THE_MESSAGE = {
    10: "bad or missing server token",
    100: "maintenance",
    400: "sender signature not found",
    401: "sender signature not confirmed",
    405: "account not allowed to send",
    412: "account pending",
    413: "account may not send",
    429: "rate limit exceeded",
}
# Short reasons for the refusals a person reading a timeline will meet. Postmark's own
# `Message` is not used: it often quotes the address.
_REFUSALS = {
    300: "invalid email request",
    402: "invalid JSON",
    403: "incompatible JSON",
    406: "inactive recipient (bounced, unsubscribed or marked as spam)",
    409: "JSON required",
    411: "forbidden attachment type",
}
# HTTP statuses that say nothing about the message (a refused token, a wrong API base, a
# timeout, a rate limit): retry.
_RETRYABLE_STATUSES = {401, 403, 404, 408, 429}
_METADATA_VALUE_MAX = 80  # Postmark refuses longer metadata values


class MailServiceUnavailable(Exception):
    """Postmark could not take the message now (down, slow, rate-limited or misconfigured);
    the same message may go through later."""


class PostmarkMailer:
    """Sends each MailMessage as one Postmark email (the real preset's Mailer)."""

    provider = "postmark"

    def __init__(
        self, token: str, from_address: str, *, message_stream: str = "outbound",
        api_base: str = "https://api.postmarkapp.com", timeout_seconds: float = 10.0,
    ) -> None:
        self._from = from_address
        self._stream = message_stream
        self._client = httpx.AsyncClient(
            base_url=api_base.rstrip("/"),
            headers={"Accept": "application/json", "Content-Type": "application/json",
                     "X-Postmark-Server-Token": token},
            timeout=httpx.Timeout(timeout_seconds),  # connect, read, write and pool alike
        )

    async def send(self, message: MailMessage, idempotency_key: str) -> None:
        # Postmark takes no idempotency key: sending the same key twice sends two emails. The
        # sent-mail log is what stops a second send; the key rides along as metadata so a
        # duplicate can at least be traced in Postmark's activity feed.
        body: dict[str, Any] = {
            "From": self._from, "To": message.to, "Subject": message.subject,
            "TextBody": message.text, "MessageStream": self._stream,
            "Metadata": {"idempotency_key": idempotency_key[:_METADATA_VALUE_MAX]},
        }
        if message.html:
            body["HtmlBody"] = message.html
        if message.template:
            body["Tag"] = message.template
        response = await self._request("POST", "/email", body)
        payload = _json(response)
        if response.status_code == 200 and payload.get("ErrorCode", 0) == 0:
            return
        raise _failure(response.status_code, payload)

    async def check_access(self) -> str:
        """Whether the token opens the server (for `elope doctor`); sends nothing."""
        response = await self._request("GET", "/server", None)
        payload = _json(response)
        if response.status_code == 200:
            return f"Postmark token accepted (server '{payload.get('Name', '?')}')"
        raise _failure(response.status_code, payload)

    async def close(self) -> None:
        await self._client.aclose()

    async def _request(self, method: str, path: str, body: dict[str, Any] | None) -> httpx.Response:
        try:
            return await self._client.request(method, path, json=body)
        except httpx.TimeoutException as error:
            raise MailServiceUnavailable("Postmark did not answer in time") from error
        except httpx.HTTPError as error:
            # The class name only: httpx's own message may quote the URL.
            raise MailServiceUnavailable(
                f"Postmark could not be reached ({type(error).__name__})") from error


def _json(response: httpx.Response) -> dict[str, Any]:
    try:
        payload = response.json()
    except ValueError:  # a proxy's HTML error page, say
        return {}
    return payload if isinstance(payload, dict) else {}


def _failure(status: int, payload: dict[str, Any]) -> Exception:
    raw_code = payload.get("ErrorCode")
    code = raw_code if isinstance(raw_code, int) else None
    said = f"HTTP {status}" if code is None else f"HTTP {status}, ErrorCode {code}"
    if status in _RETRYABLE_STATUSES or not 400 <= status < 500:
        return MailServiceUnavailable(f"Postmark did not accept the request ({said})")
    if code in _NOT_THE_MESSAGE:
        return MailServiceUnavailable(
            f"Postmark did not accept the request ({said}: {_NOT_THE_MESSAGE[code]})")
    reason = _REFUSALS.get(code, "refused") if code is not None else "refused"
    return MailRejected(f"Postmark refused the message ({said}: {reason})")
