"""GOOGLE_SERVICE_ACCOUNT_JSON_BASE64: the service-account key as the settings carry it."""

from __future__ import annotations

import base64
import binascii
import json

NEEDED = ("client_email", "private_key", "token_uri")


def service_account_info(encoded: str) -> dict[str, str]:
    """The base64 key decoded and checked for what a token needs; ValueError (one line a
    settings error can show) when it is not one."""
    try:
        info = json.loads(base64.b64decode(encoded, validate=True))
    except (binascii.Error, ValueError):
        raise ValueError("it is not base64 of a JSON service-account key") from None
    if not isinstance(info, dict) or any(not isinstance(info.get(k), str) for k in NEEDED):
        raise ValueError(f"the service-account key needs {', '.join(NEEDED)}")
    return info
