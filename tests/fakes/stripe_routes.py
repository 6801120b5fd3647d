"""FakeStripe's API endpoints: Stripe's answers, and its refusals, to the calls the adapter
makes. FakeStripe calls `route` under its lock, after the key and idempotency checks."""

from __future__ import annotations

import time
from typing import Any

from adapters.stand_ins import stripe_objects

Reply = tuple[int, Any]  # HTTP status and JSON payload (bytes for the checkout page)

# Stripe's window for `expires_at`, counted from the session's creation.
EXPIRY_MIN_SECONDS = 30 * 60
EXPIRY_MAX_SECONDS = 24 * 60 * 60


def stripe_error(status: int, error_type: str, message: str, *, code: str | None = None,
                 param: str | None = None) -> Reply:
    error: dict[str, str] = {"type": error_type, "message": message}
    if code is not None:
        error["code"] = code
    if param is not None:
        error["param"] = param
    return status, {"error": error}


def _invalid(message: str, param: str, code: str = "parameter_invalid") -> Reply:
    return stripe_error(400, "invalid_request_error", f"fake stripe detail: {message}",
                        code=code, param=param)


def _missing(kind: str, object_id: str, param: str) -> Reply:
    return stripe_error(404, "invalid_request_error",
                        f"fake stripe detail: No such {kind}: '{object_id}'",
                        code="resource_missing", param=param)


class StripeRoutes:
    """The endpoints and the state they keep; FakeStripe adds transport and test controls."""

    def __init__(self, secret_key: str) -> None:
        self._secret_key = secret_key
        self._sessions: dict[str, dict[str, Any]] = {}
        self._refunds: dict[str, dict[str, Any]] = {}  # by idempotency key

    def route(self, method: str, path: str, fields: dict[str, str], host: str,
              idempotency_key: str | None) -> Reply:
        match method, path.strip("/").split("/"):
            case "POST", ["v1", "checkout", "sessions"]:
                return self._create_session(fields, host)
            case "GET", ["v1", "checkout", "sessions", session_id]:
                return self._retrieve_session(session_id)
            case "POST", ["v1", "checkout", "sessions", session_id, "expire"]:
                return self._expire_session(session_id)
            case "POST", ["v1", "refunds"]:
                return self._create_refund(fields, idempotency_key)
            case "GET", ["v1", "balance"]:
                return 200, {"object": "balance", "livemode": False,
                             "available": [{"amount": 0, "currency": "usd"}],
                             "pending": [{"amount": 0, "currency": "usd"}]}
        return stripe_error(404, "invalid_request_error",
                            f"fake stripe detail: Unrecognized request URL ({method}: {path})")

    def _create_session(self, fields: dict[str, str], host: str) -> Reply:
        if fields.get("mode") != "payment":
            return _invalid("this fake knows only mode=payment", "mode")
        items = _line_items(fields)
        if isinstance(items, str):
            return _invalid(items, "line_items")
        if len({currency for _, _, currency in items}) != 1:
            return _invalid("all line items must have the same currency", "line_items")
        metadata = {key[len("metadata["):-1]: value for key, value in fields.items()
                    if key.startswith("metadata[") and key.endswith("]")}
        problem = stripe_objects.metadata_problem(metadata)
        if problem is not None:
            return _invalid(problem, "metadata")
        now = int(time.time())
        expires_at = fields.get("expires_at", str(now + EXPIRY_MAX_SECONDS))
        if not expires_at.isdigit() or not (
                now + EXPIRY_MIN_SECONDS <= int(expires_at) <= now + EXPIRY_MAX_SECONDS):
            return _invalid("expires_at must be 30 minutes to 24 hours from now", "expires_at")
        for param in ("success_url", "cancel_url"):
            if param in fields and not fields[param].startswith(("http://", "https://")):
                return _invalid("Not a valid URL", param, code="url_invalid")
        session_id = stripe_objects.new_object_id("cs")
        self._sessions[session_id] = stripe_objects.checkout_session(
            session_id, url=f"http://{host}/pay/{session_id}", currency=items[0][2],
            line_items=[(name, amount) for name, amount, _ in items],
            customer_email=fields.get("customer_email"), expires_at=int(expires_at),
            metadata=metadata, success_url=fields.get("success_url", ""),
            cancel_url=fields.get("cancel_url", ""),
        )
        return 200, stripe_objects.api_view(self._sessions[session_id])

    def _retrieve_session(self, session_id: str) -> Reply:
        session = self._sessions.get(session_id)
        if session is None:
            return _missing("checkout.session", session_id, "session")
        return 200, stripe_objects.api_view(session)

    def _expire_session(self, session_id: str) -> Reply:
        session = self._sessions.get(session_id)
        if session is None:
            return _missing("checkout.session", session_id, "session")
        if not stripe_objects.expire(session):
            # Stripe gives no code here, only words: the adapter must not need to read them.
            return stripe_error(400, "invalid_request_error",
                                "fake stripe detail: Only Checkout Sessions with a status in"
                                f" [\"open\"] can be expired, not `{session['status']}`.")
        return 200, stripe_objects.api_view(session)

    def _create_refund(self, fields: dict[str, str], idempotency_key: str | None) -> Reply:
        intent = fields.get("payment_intent", "")
        session = next((s for s in self._sessions.values()
                        if s["payment_intent"] == intent and s["payment_status"] == "paid"), None)
        if session is None:
            return _missing("payment_intent", intent, "payment_intent")
        refunded = sum(r["amount"] for r in self._refunds.values() if r["payment_intent"] == intent)
        amount = fields.get("amount", str(session["amount_total"] - refunded))
        if not amount.isdigit() or not 0 < int(amount) <= session["amount_total"] - refunded:
            return _invalid("the amount is more than is left to refund", "amount",
                            code="amount_too_large")
        refund_id = stripe_objects.new_object_id("re")
        self._refunds[idempotency_key or refund_id] = {
            "id": refund_id, "payment_intent": intent, "amount": int(amount)}
        return 200, {"id": refund_id, "object": "refund", "amount": int(amount),
                     "currency": session["currency"], "payment_intent": intent,
                     "status": "succeeded", "created": int(time.time())}


def _line_items(fields: dict[str, str]) -> list[tuple[str, int, str]] | str:
    """(name, amount, currency) per line item from the form's bracket keys, or what is wrong."""
    items: list[tuple[str, int, str]] = []
    while any(key.startswith(f"line_items[{len(items)}]") for key in fields):
        prefix = f"line_items[{len(items)}]"
        name = fields.get(f"{prefix}[price_data][product_data][name]", "")
        currency = fields.get(f"{prefix}[price_data][currency]", "")
        unit = fields.get(f"{prefix}[price_data][unit_amount]", "")
        quantity = fields.get(f"{prefix}[quantity]", "")
        if not (name and currency and unit.isdigit() and quantity.isdigit() and int(quantity) > 0):
            return f"{prefix} needs price_data[currency, unit_amount, product_data[name]], quantity"
        items.append((name, int(unit) * int(quantity), currency))
    return items or "line_items is required in payment mode"
