"""The business calendar on Google Calendar (API v3), reached with a service-account key."""

from __future__ import annotations

import base64
import time
from collections.abc import Awaitable, Mapping
from typing import Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

import httpx

from adapters.google.busy_days import busy_days, parse_instant, query_window
from adapters.google.service_account_token import ServiceAccountToken, TokenUnavailable, safe_detail
from domain.event_date import EventDate

SCOPE = "https://www.googleapis.com/auth/calendar"
# Range queries vary with what couples browse; old entries go first past this many.
_CACHE_ENTRIES = 256
_MAX_EVENT_ID = 1024


class CalendarUnavailable(Exception):
    """Google Calendar did not give a usable answer; the message is one line, safe to log."""


def event_id_for(booking_id: str) -> str:
    """The event id for a booking's day: base32hex as Google requires, and the same on every
    attempt, so a retried insert collides (409) instead of making a second event."""
    encoded = base64.b32hexencode(booking_id.encode()).decode("ascii").rstrip("=").lower()
    event_id = f"elope{encoded}"
    if len(event_id) > _MAX_EVENT_ID:
        raise ValueError("the booking id is too long for a Google Calendar event id")
    return event_id


class GoogleCalendar:
    """CalendarProvider over one Google calendar.

    Days are `timezone`'s days. Reads are one freeBusy call per range, cached for
    `cache_seconds` per range and forgotten whenever this adapter writes. Every failure
    (HTTP error, 429, 5xx, timeout, per-calendar error) raises `CalendarUnavailable`.
    """

    def __init__(
        self, calendar_id: str, service_account: Mapping[str, str], *, timezone: ZoneInfo,
        api_base: str = "https://www.googleapis.com", cache_seconds: float = 30.0,
        timeout_seconds: float = 10.0,
    ) -> None:
        if not timezone.key:
            raise ValueError("the business time zone needs an IANA name for Google")
        try:
            self._token = ServiceAccountToken(service_account, scopes=[SCOPE],
                                              timeout_seconds=timeout_seconds)
        except TokenUnavailable as exc:
            raise ValueError(str(exc)) from None
        self._calendar_id = calendar_id
        self._zone = timezone
        self._cache_seconds = cache_seconds
        self._calendar_path = f"/calendars/{quote(calendar_id, safe='')}"
        self._http = httpx.AsyncClient(base_url=f"{api_base.rstrip('/')}/calendar/v3",
                                       timeout=timeout_seconds)
        self._cache: dict[tuple[EventDate, EventDate], tuple[float, frozenset[EventDate]]] = {}
        # Bumped by every write, so a read that was in flight meanwhile is not cached.
        self._generation = 0

    async def busy_dates(self, start: EventDate, end: EventDate) -> set[EventDate]:
        if end < start:
            return set()
        now = time.monotonic()
        cached = self._cache.get((start, end))
        if cached is not None and cached[0] > now:
            return set(cached[1])
        generation = self._generation
        time_min, time_max = query_window(start.value, end.value, self._zone)
        response = await self._call("free/busy read", "POST", "/freeBusy", json={
            "timeMin": time_min, "timeMax": time_max, "timeZone": self._zone.key,
            "items": [{"id": self._calendar_id}]})
        days = frozenset(EventDate(d) for d in busy_days(
            self._busy_intervals(response), start.value, end.value, self._zone))
        if generation == self._generation and self._cache_seconds > 0:
            self._remember((start, end), days, now + self._cache_seconds)
        return set(days)

    async def block_day(self, date: EventDate, booking_id: str, title: str) -> str:
        event_id = event_id_for(booking_id)
        body = {"id": event_id, "summary": title, "start": {"date": str(date)},
                "end": {"date": str(date.plus_days(1))}, "transparency": "opaque"}
        # 409: the id exists already, i.e. an earlier attempt got through.
        await self._call("event insert", "POST", f"{self._calendar_path}/events", json=body,
                         fine=(409,))
        self._forget()
        return event_id

    async def free_day(self, event_id: str) -> None:
        # 404/410: never made, or already deleted; either way the day is free of it.
        await self._call("event delete", "DELETE",
                         f"{self._calendar_path}/events/{quote(event_id, safe='')}",
                         fine=(404, 410))
        self._forget()

    async def check_access(self) -> str:
        """Fetch a token and read the calendar, for `elope doctor`; raises if either fails."""
        response = await self._call("calendar read", "GET", self._calendar_path)
        summary = _json(response, "calendar read").get("summary") or self._calendar_id
        return f"Google Calendar reachable (calendar {safe_detail(str(summary), 80)})"

    async def close(self) -> None:
        await self._http.aclose()
        self._token.close()

    async def _call(self, action: str, method: str, url: str, *, json: Any = None,
                    fine: tuple[int, ...] = ()) -> httpx.Response:
        token = await self._access(self._token.current())
        response = await self._send(action, method, url, token, json)
        if response.status_code == 401:
            # Revoked or expired early: one new token, one more try.
            token = await self._access(self._token.replace(token))
            response = await self._send(action, method, url, token, json)
        if not response.is_success and response.status_code not in fine:
            raise CalendarUnavailable(_status_message(action, response))
        return response

    @staticmethod
    async def _access(pending: Awaitable[str]) -> str:
        try:
            token: str = await pending
        except TokenUnavailable as exc:
            raise CalendarUnavailable(str(exc)) from None
        return token

    async def _send(self, action: str, method: str, url: str, token: str,
                    json: Any) -> httpx.Response:
        try:
            return await self._http.request(method, url, json=json,
                                            headers={"Authorization": f"Bearer {token}"})
        except httpx.TimeoutException:
            raise CalendarUnavailable(f"Google Calendar {action} timed out") from None
        except httpx.HTTPError as exc:
            raise CalendarUnavailable(
                f"Google Calendar {action} failed: {type(exc).__name__}: "
                f"{safe_detail(str(exc))}") from None

    def _busy_intervals(self, response: httpx.Response) -> list[tuple[Any, Any]]:
        action = "free/busy read"
        answer = _json(response, action).get("calendars", {})
        mine = answer.get(self._calendar_id) if isinstance(answer, dict) else None
        if not isinstance(mine, dict):
            raise CalendarUnavailable(f"Google Calendar {action}: no answer for the calendar")
        if mine.get("errors"):
            reasons = ", ".join(str(e.get("reason")) for e in mine["errors"] if isinstance(e, dict))
            raise CalendarUnavailable(
                f"Google Calendar {action} failed for the calendar: {safe_detail(reasons)}")
        try:
            return [(parse_instant(b["start"]), parse_instant(b["end"]))
                    for b in mine.get("busy", [])]
        except (KeyError, TypeError, ValueError):
            raise CalendarUnavailable(f"Google Calendar {action}: unreadable busy times") from None

    def _remember(self, key: tuple[EventDate, EventDate], days: frozenset[EventDate],
                  until: float) -> None:
        now = time.monotonic()
        for stale in [k for k, (expires, _) in self._cache.items() if expires <= now]:
            del self._cache[stale]
        if len(self._cache) >= _CACHE_ENTRIES:
            del self._cache[next(iter(self._cache))]
        self._cache[key] = (until, days)

    def _forget(self) -> None:
        self._generation += 1
        self._cache.clear()


def _json(response: httpx.Response, action: str) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        body = None
    if not isinstance(body, dict):
        raise CalendarUnavailable(f"Google Calendar {action}: the answer is not a JSON object")
    return body


def _status_message(action: str, response: httpx.Response) -> str:
    """One line naming the status and Google's short reason code, never its free text."""
    status = response.status_code
    kind = ("rate limited" if status == 429 else "server error" if status >= 500
            else "credentials refused" if status in (401, 403) else "request refused")
    reason = ""
    try:
        error = response.json().get("error", {})
        reason = str(error.get("errors", [{}])[0].get("reason") or error.get("status") or "")
    except (ValueError, AttributeError, IndexError, TypeError):
        pass
    suffix = f", {safe_detail(reason, 60)}" if reason else ""
    return f"Google Calendar {action} failed: HTTP {status} ({kind}{suffix})"
