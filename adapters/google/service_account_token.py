"""OAuth access tokens for a Google service account, fetched without blocking the event loop.

google-auth signs the JWT-bearer assertion and calls the key's `token_uri`, but only over the
synchronous `requests` transport, so each refresh runs in a worker thread.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import re
from collections.abc import Mapping, Sequence
from typing import Any

import google.auth.exceptions
import requests
from google.auth.transport.requests import Request
from google.oauth2 import service_account

# Refresh well before Google's stated expiry so a token never dies between check and use.
_EARLY = dt.timedelta(minutes=5)
# Long opaque runs (tokens, JWTs, key material) never belong in a log line.
_SECRET_LOOKING = re.compile(r"[A-Za-z0-9_\-.+/=]{40,}")


class TokenUnavailable(Exception):
    """No access token could be had; the message is one line, safe to log."""


def safe_detail(text: str, limit: int = 160) -> str:
    """`text` cut to one short line with anything token-like blanked out."""
    line = " ".join(text.split())
    return _SECRET_LOOKING.sub("[redacted]", line)[:limit]


class _BoundedRequest(Request):
    """google-auth's requests transport with our timeout: its token call passes none, and
    requests would then wait two minutes on a silent server."""

    def __init__(self, session: requests.Session, timeout_seconds: float) -> None:
        super().__init__(session)
        self._timeout_seconds = timeout_seconds

    def __call__(self, url: str, method: str = "GET", body: Any = None,
                 headers: Any = None, timeout: Any = None, **kwargs: Any) -> Any:
        # Unannotated in google-auth, hence the ignore.
        return super().__call__(  # type: ignore[no-untyped-call]
            url, method, body, headers, self._timeout_seconds, **kwargs)


class ServiceAccountToken:
    """The current access token for one service-account key, shared by all of an adapter's
    requests: reused until shortly before it expires, and refreshed by one caller at a time."""

    def __init__(self, info: Mapping[str, str], *, scopes: Sequence[str],
                 timeout_seconds: float) -> None:
        try:
            # Unannotated in google-auth, hence the ignore.
            from_info = service_account.Credentials.from_service_account_info
            self._credentials = from_info(  # type: ignore[no-untyped-call]
                dict(info), scopes=list(scopes))
        except (ValueError, KeyError, TypeError):
            # The underlying error may quote the key, so it is not passed on.
            raise TokenUnavailable("the Google service-account key is not usable") from None
        self._session = requests.Session()
        self._request = _BoundedRequest(self._session, timeout_seconds)
        self._lock = asyncio.Lock()
        self._token: str | None = None
        self._refresh_at = dt.datetime.min.replace(tzinfo=dt.UTC)

    async def current(self) -> str:
        """A token believed valid, fetching one if there is none or it is about to expire."""
        token = self._fresh_token()
        if token is not None:
            return token
        async with self._lock:
            # Whoever held the lock before us may have refreshed already.
            return self._fresh_token() or await self._refresh()

    async def replace(self, rejected: str) -> str:
        """A new token after the API refused `rejected`, unless another caller replaced it."""
        async with self._lock:
            token = self._fresh_token()
            if token is not None and token != rejected:
                return token
            return await self._refresh()

    def close(self) -> None:
        self._session.close()

    def _fresh_token(self) -> str | None:
        if self._token is not None and dt.datetime.now(dt.UTC) < self._refresh_at:
            return self._token
        return None

    async def _refresh(self) -> str:
        issued = dt.datetime.now(dt.UTC)
        try:
            await asyncio.to_thread(self._credentials.refresh, self._request)
        except google.auth.exceptions.GoogleAuthError as exc:
            detail = exc.args[0] if exc.args else ""
            raise TokenUnavailable(
                f"could not get a Google access token: {type(exc).__name__}: "
                f"{safe_detail(str(detail))}") from None
        token = self._credentials.token
        if not isinstance(token, str) or not token:
            raise TokenUnavailable("the Google token endpoint returned no access token")
        expiry = self._credentials.expiry  # naive UTC, as google-auth keeps it
        expires = (expiry.replace(tzinfo=dt.UTC) if isinstance(expiry, dt.datetime)
                   else issued + 2 * _EARLY)
        self._refresh_at = expires - min(_EARLY, (expires - issued) / 2)
        self._token = token
        return token
