"""A Google-shaped server for the Google Calendar adapter, served with `serving()`.

It answers the OAuth token endpoint (JWT-bearer grant, signature checked against the test
key) and the Calendar v3 calls the adapter makes, from events held in memory, the way Google
does: all-day events are busy from midnight to midnight, deleted ids stay taken (409 on
insert, 410 on delete), and a per-calendar problem is an `errors` entry in a 200 answer.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import functools
import itertools
import json
import re
import secrets
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl
from zoneinfo import ZoneInfo

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from tests.fakes.local_server import request_of, serving

CALENDAR_ID = "bookings@group.calendar.google.com"
CLIENT_EMAIL = "elope-calendar@elope-test.iam.gserviceaccount.com"
KEY_ID = "test-key-1"
CALENDAR_SCOPE = "https://www.googleapis.com/auth/calendar"
# google-auth signs every assertion for Google's own endpoint, whatever the key's token_uri.
TOKEN_AUDIENCE = "https://oauth2.googleapis.com/token"
JWT_BEARER = "urn:ietf:params:oauth:grant-type:jwt-bearer"
_EVENT_ID = re.compile(r"[a-v0-9]{5,1024}")
_REASONS = {400: "badRequest", 401: "authError", 403: "forbidden", 404: "notFound",
            409: "duplicate", 410: "deleted", 429: "rateLimitExceeded"}

Answer = tuple[int, dict[str, Any] | None]


@dataclass(frozen=True)
class RecordedRequest:
    method: str
    path: str
    headers: dict[str, str]
    body: Any  # parsed JSON, the form as a dict, or None


@functools.cache
def _private_key() -> rsa.RSAPrivateKey:
    # Slow to make (tens of ms): one per test process.
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def service_account_key(token_uri: str) -> dict[str, str]:
    """A throwaway service-account key, as Google's JSON key file has it."""
    pem = _private_key().private_bytes(serialization.Encoding.PEM,
                                       serialization.PrivateFormat.PKCS8,
                                       serialization.NoEncryption()).decode()
    return {"type": "service_account", "project_id": "elope-test", "private_key_id": KEY_ID,
            "private_key": pem, "client_email": CLIENT_EMAIL, "client_id": "1000",
            "token_uri": token_uri}


def _error(status: int, reason: str | None = None) -> Answer:
    why = reason or _REASONS.get(status, "backendError")
    return status, {"error": {"code": status, "message": f"fake: {why}",
                              "errors": [{"domain": "global", "reason": why}]}}


def _instant(text: str) -> dt.datetime:
    parsed = dt.datetime.fromisoformat(text)
    if parsed.tzinfo is None:
        raise ValueError(text)
    return parsed


class FakeGoogle:
    """Google's token endpoint and Calendar v3, for one calendar, in memory.

    Test controls: `add_timed_event`, `add_all_day_event`, `fail_next` (the next API calls
    answer an error status), `revoke_tokens`, `token_delay` (seconds the token endpoint
    waits), `answer_in_utc` (busy times in `Z` rather than the request's zone), `reset`.
    Read back `requests`, `events` and `tokens_issued`. Safe to use from the test thread
    while serving.
    """

    def __init__(self, calendar_id: str = CALENDAR_ID, *, summary: str = "Elope bookings",
                 token_lifetime: int = 3600) -> None:
        self.calendar_id = calendar_id
        self.summary = summary
        self.token_lifetime = token_lifetime
        self._lock = threading.Lock()
        self._ids = itertools.count(1)
        self.reset()

    @property
    def requests(self) -> list[RecordedRequest]:
        with self._lock:
            return list(self._requests)

    @property
    def api_requests(self) -> list[RecordedRequest]:
        """The recorded requests other than token requests."""
        return [r for r in self.requests if r.path.startswith("/calendar/")]

    @property
    def events(self) -> dict[str, dict[str, Any]]:
        with self._lock:
            return dict(self._events)

    @property
    def tokens_issued(self) -> int:
        with self._lock:
            return self._issued

    def reset(self) -> None:
        """Forget everything, as a fresh server would (one server can then serve many tests)."""
        with self._lock:
            self.token_delay = 0.0
            self.answer_in_utc = False
            self._requests: list[RecordedRequest] = []
            self._events: dict[str, dict[str, Any]] = {}
            self._deleted: set[str] = set()
            self._tokens: set[str] = set()
            self._failures: list[int] = []
            self._issued = 0

    def fail_next(self, status: int, count: int = 1) -> None:
        with self._lock:
            self._failures.extend([status] * count)

    def revoke_tokens(self) -> None:
        with self._lock:
            self._tokens.clear()

    def add_timed_event(self, start: dt.datetime, end: dt.datetime) -> str:
        return self._add({"start": {"dateTime": start.isoformat()},
                          "end": {"dateTime": end.isoformat()}})

    def add_all_day_event(self, date: dt.date, zone: ZoneInfo | None = None, *,
                          transparent: bool = False) -> str:
        """An all-day event, busy midnight to midnight in `zone` (default: the zone of each
        freeBusy request, as for a calendar kept in the business's zone)."""
        start: dict[str, str] = {"date": date.isoformat()}
        if zone is not None:
            start["timeZone"] = zone.key
        return self._add({"start": start, "end": {"date": (date + dt.timedelta(days=1)).isoformat()},
                          "transparency": "transparent" if transparent else "opaque"})

    def _add(self, event: dict[str, Any]) -> str:
        event_id = f"fake{next(self._ids):04d}"
        with self._lock:
            self._events[event_id] = {"id": event_id, "status": "confirmed", **event}
        return event_id

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        raw, headers = await request_of(scope, receive)
        body: Any = None
        if raw and "json" in headers.get("content-type", ""):
            body = json.loads(raw)
        elif raw:
            body = dict(parse_qsl(raw.decode()))
        with self._lock:
            self._requests.append(RecordedRequest(scope["method"], scope["path"], headers, body))
        status, answer = await self._answer(scope["method"], scope["path"], headers, body)
        payload = b"" if answer is None else json.dumps(answer).encode()
        await send({"type": "http.response.start", "status": status,
                    "headers": [(b"content-type", b"application/json; charset=UTF-8")]})
        await send({"type": "http.response.body", "body": payload})

    async def _answer(self, method: str, path: str, headers: dict[str, str], body: Any) -> Answer:
        if path == "/token" and method == "POST":
            await asyncio.sleep(self.token_delay)
            return self._grant(body if isinstance(body, dict) else {})
        with self._lock:
            if self._failures:
                return _error(self._failures.pop(0))
            bearer = headers.get("authorization", "").removeprefix("Bearer ")
            if bearer not in self._tokens:
                return _error(401)
        parts = path.removeprefix("/calendar/v3/").split("/")
        try:
            if parts == ["freeBusy"] and method == "POST":
                return self._free_busy(body)
            if parts[0] != "calendars" or len(parts) < 2:
                return _error(404)
            if parts[1] != self.calendar_id:
                return _error(404)
            if len(parts) == 2 and method == "GET":
                return 200, {"kind": "calendar#calendar", "id": self.calendar_id,
                             "summary": self.summary, "timeZone": "UTC"}
            if parts[2:] == ["events"] and method == "POST":
                return self._insert(body)
            if len(parts) == 4 and parts[2] == "events" and method == "DELETE":
                return self._delete(parts[3])
        except (KeyError, TypeError, ValueError):
            return _error(400)
        return _error(404)

    def _grant(self, form: dict[str, str]) -> Answer:
        if form.get("grant_type") != JWT_BEARER:
            return 400, {"error": "unsupported_grant_type"}
        assertion = form.get("assertion", "")
        try:
            claims = jwt.decode(assertion, _private_key().public_key(), algorithms=["RS256"],
                                audience=TOKEN_AUDIENCE, options={"require": ["exp", "iat"]})
            kid = jwt.get_unverified_header(assertion).get("kid")
        except jwt.PyJWTError:
            return 400, {"error": "invalid_grant", "error_description": "Invalid JWT Signature."}
        if kid != KEY_ID or claims.get("iss") != CLIENT_EMAIL:
            return 400, {"error": "invalid_grant", "error_description": "Invalid issuer or key."}
        if CALENDAR_SCOPE not in str(claims.get("scope", "")).split():
            return 400, {"error": "invalid_scope", "error_description": "Scope not allowed."}
        token = f"ya29.fake-{secrets.token_urlsafe(24)}"
        with self._lock:
            self._tokens.add(token)
            self._issued += 1
        return 200, {"access_token": token, "expires_in": self.token_lifetime,
                     "token_type": "Bearer"}

    def _free_busy(self, body: dict[str, Any]) -> Answer:
        low, high = _instant(body["timeMin"]), _instant(body["timeMax"])
        zone = ZoneInfo(body.get("timeZone") or "UTC")
        calendars: dict[str, Any] = {}
        for item in body["items"]:
            if item["id"] != self.calendar_id:
                calendars[item["id"]] = {"errors": [{"domain": "global", "reason": "notFound"}],
                                         "busy": []}
                continue
            spans = sorted((max(s, low), min(e, high)) for s, e in self._intervals(zone)
                           if s < high and e > low)
            merged: list[tuple[dt.datetime, dt.datetime]] = []
            for s, e in spans:
                if merged and s <= merged[-1][1]:
                    merged[-1] = (merged[-1][0], max(merged[-1][1], e))
                else:
                    merged.append((s, e))
            calendars[item["id"]] = {"busy": [{"start": self._show(s, zone), "end": self._show(e, zone)}
                                              for s, e in merged]}
        return 200, {"kind": "calendar#freeBusy", "timeMin": body["timeMin"],
                     "timeMax": body["timeMax"], "calendars": calendars}

    def _intervals(self, zone: ZoneInfo) -> Iterator[tuple[dt.datetime, dt.datetime]]:
        for event in self.events.values():
            if event.get("transparency") == "transparent":
                continue
            start, end = event["start"], event["end"]
            if "dateTime" in start:
                yield _instant(start["dateTime"]), _instant(end["dateTime"])
                continue
            where = ZoneInfo(start.get("timeZone") or zone.key)
            yield (dt.datetime.combine(dt.date.fromisoformat(start["date"]), dt.time(0), where),
                   dt.datetime.combine(dt.date.fromisoformat(end["date"]), dt.time(0), where))

    def _show(self, instant: dt.datetime, zone: ZoneInfo) -> str:
        if self.answer_in_utc:
            return instant.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        return instant.astimezone(zone).isoformat()

    def _insert(self, body: dict[str, Any]) -> Answer:
        event_id = body.get("id") or f"fake{next(self._ids):04d}"
        if not _EVENT_ID.fullmatch(event_id) or not (body["start"] and body["end"]):
            return _error(400, "invalid")
        with self._lock:
            if event_id in self._events or event_id in self._deleted:
                return _error(409)
            event = self._events[event_id] = {**body, "id": event_id, "status": "confirmed"}
        return 200, {"kind": "calendar#event", **event}

    def _delete(self, event_id: str) -> Answer:
        with self._lock:
            if self._events.pop(event_id, None) is not None:
                self._deleted.add(event_id)
                return 204, None
            return _error(410 if event_id in self._deleted else 404)


@contextmanager
def fake_google(calendar_id: str = CALENDAR_ID) -> Iterator[tuple[FakeGoogle, str, dict[str, str]]]:
    """A served FakeGoogle, its base URL, and a service-account key whose token_uri is it."""
    fake = FakeGoogle(calendar_id)
    with serving(fake) as base:
        yield fake, base, service_account_key(f"{base}/token")
