"""SPEC §9: every setting, read from the environment (and `.env`, entrypoints/env_file.py) once
and validated at start."""

from __future__ import annotations

import secrets
from functools import cached_property
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, ValidationError, ValidationInfo, field_validator, model_validator
from pydantic_settings import SettingsConfigDict

from adapters.google.service_account_key import service_account_info
from application.ports.rate_limits import RateLimit, parse_rate
from domain.errors import ValidationFailed
from domain.event_date import EventDate
from entrypoints.database_settings import DatabaseSettings
from entrypoints.env_file import EnvFileError, settings_env_file
from entrypoints.http.client_address import Network, parse_trusted_proxies

# Fixed so a developer can sign test webhooks by hand; printed at start, mock preset only.
MOCK_WEBHOOK_SECRET = "whsec_elope_mock_preset_dev_secret"
MIN_JWT_SECRET_BYTES = 32


# DATABASE_URL, DATABASE_DIRECT_URL and DATABASE_POOL_MODE: entrypoints/database_settings.py.
class Settings(DatabaseSettings):
    model_config = SettingsConfigDict(env_prefix="", case_sensitive=False, extra="ignore",
                                      env_file_encoding="utf-8")

    adapters_preset: Literal["mock", "real"] = "mock"
    api_port: int = Field(3001, ge=1, le=65535)
    # Unset: loopback only for the mock preset (its admin is admin/admin), every interface
    # for the real preset (a container or a host behind its proxy).
    api_host: str | None = None
    public_url: str | None = None
    cors_origin: str | None = None
    # Proxies (addresses or CIDR networks, comma-separated) whose X-Forwarded-For is believed
    # when they are the peer; none by default: every limit keys on the peer address.
    trusted_proxies: str = ""
    # Open holds one client (and one email) may have at once; limits per client, keyed on
    # the client address (entrypoints/http/client_address.py).
    holds_per_client: int = Field(2, ge=1)
    checkout_rate_limit: str = "10/minute"
    # "0" turns it off.
    webhook_rate_limit: str = "100/second"
    jwt_secret: SecretStr | None = None
    db_pool_min: int = Field(1, ge=0, le=100)
    db_pool_max: int = Field(10, ge=1, le=500)
    db_statement_timeout_ms: int = Field(5000, ge=100, le=600_000)
    db_lock_timeout_ms: int = Field(2000, ge=10, le=600_000)
    stripe_secret_key: SecretStr | None = None
    stripe_webhook_secret: SecretStr | None = None
    stripe_api_base: str | None = None
    # Where Stripe sends the couple after paying / giving up; default: this service's pages.
    stripe_success_url: str | None = None
    stripe_cancel_url: str | None = None
    postmark_server_token: SecretStr | None = None
    postmark_from_email: str = "bookings@elope.example"
    postmark_message_stream: str = "outbound"
    postmark_api_base: str = "https://api.postmarkapp.com"
    mail_sink_dir: Path = Path("var/mail")
    google_calendar_id: str | None = None
    google_service_account_json_base64: SecretStr | None = None
    google_calendar_api_base: str = "https://www.googleapis.com"
    mock_calendar_busy_dates: str = ""
    business_timezone: str = "UTC"
    checkout_hold_minutes: int = Field(30, ge=30, le=1440)
    booking_horizon_days: int = Field(730, ge=1, le=3650)
    admin_email: str = "admin@example.com"
    admin_password: SecretStr = SecretStr("admin")
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    # Unset: JSON lines in the real preset (for a log shipper), readable lines in the mock one.
    log_format: Literal["json", "console"] | None = None
    # One line per request (method, route template, status, duration); health probes and
    # metrics scrapes at DEBUG only. Off when a proxy in front already logs every request.
    access_log: bool = True
    otel_service_name: str = "elope"
    otel_exporter_otlp_endpoint: str | None = None
    # The OTel spec's names and values; the two ratio samplers keep whole booking journeys.
    otel_traces_sampler: Literal[
        "always_on", "always_off", "traceidratio",
        "parentbased_always_on", "parentbased_always_off", "parentbased_traceidratio",
    ] = "parentbased_always_on"
    otel_traces_sampler_arg: float = Field(1.0, ge=0.0, le=1.0)
    reconcile_interval_seconds: int = Field(300, ge=10)
    outbox_relay_interval_seconds: int = Field(10, ge=1)
    outbox_lease_seconds: int = Field(120, ge=1, le=3600)
    # Real preset: how long a read of the taken dates / of the active packages is kept. A
    # change empties it at once in every instance (LISTEN/NOTIFY); this bounds one that went
    # unheard. 0: read the database every time.
    availability_cache_seconds: float = Field(2.0, ge=0, le=3600)
    catalog_cache_seconds: float = Field(10.0, ge=0, le=3600)
    # How long an admin token lives. A working day by default, so an admin logs in once a day;
    # never more than 12 hours, so a token copied from a laptop in the evening is dead by
    # morning (a password change or deleting the admin ends it at once, whatever this says).
    jwt_ttl_minutes: int = 8 * 60
    # Webhooks that arrive while the database is down: one file per verified event in this
    # directory (both presets, though the memory store is never down), delivered into the
    # inbox every DEAD_LETTER_REPLAY_SECONDS by `serve`, or by `webhooks replay --dead-letters`.
    dead_letter_dir: Path = Path("var/dead-letters")
    dead_letter_replay_seconds: int = Field(30, ge=1, le=3600)

    @field_validator("dead_letter_dir")
    @classmethod
    def _dead_letter_directory(cls, value: Path) -> Path:
        if value.exists() and not value.is_dir():
            raise ValueError(f"{value} exists and is not a directory")
        return value

    @field_validator("jwt_ttl_minutes")
    @classmethod
    def _token_lifetime(cls, value: int) -> int:
        # At least 5 minutes: below that an admin is logged out in the middle of a task.
        if not 5 <= value <= 12 * 60:
            raise ValueError(f"must be 5-720 minutes (an admin token lives at most 12 hours),"
                             f" got {value}")
        return value

    @field_validator("business_timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"'{value}' is not a known IANA time zone") from None
        return value

    @field_validator("trusted_proxies")
    @classmethod
    def _proxies(cls, value: str) -> str:
        parse_trusted_proxies(value)  # a bad entry stops start-up here, named
        return value

    @field_validator("checkout_rate_limit", "webhook_rate_limit")
    @classmethod
    def _rate(cls, value: str, info: ValidationInfo) -> str:
        if not (info.field_name == "webhook_rate_limit" and value.strip() == "0"):  # 0: off
            parse_rate(value, "any")
        return value

    @field_validator("otel_traces_sampler", mode="before")
    @classmethod
    def _sampler_name(cls, value: object) -> object:
        # The OTel SDK reads the name case-insensitively; so does this.
        return value.strip().lower() if isinstance(value, str) else value

    @field_validator("log_format", mode="before")
    @classmethod
    def _log_format_name(cls, value: object) -> object:
        # LOG_FORMAT=JSON is as clear as json; an empty value means "the preset's default".
        if isinstance(value, str):
            return value.strip().lower() or None
        return value

    @field_validator("mock_calendar_busy_dates")
    @classmethod
    def _dates(cls, value: str) -> str:
        for part in filter(None, (p.strip() for p in value.split(","))):
            try:
                EventDate.parse(part)
            except ValidationFailed as exc:
                raise ValueError(exc.message) from None
        return value

    @field_validator("google_service_account_json_base64")
    @classmethod
    def _service_account(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and value.get_secret_value():
            service_account_info(value.get_secret_value())  # a bad key stops start-up here
        return value

    @model_validator(mode="after")
    def _preset_requirements(self) -> Settings:
        if self.db_pool_min > self.db_pool_max:
            raise ValueError("DB_POOL_MIN must not exceed DB_POOL_MAX")
        if self.adapters_preset == "real":
            missing = [name for name, value in (
                ("DATABASE_URL", self.database_url),
                ("JWT_SECRET", self.jwt_secret),
                ("STRIPE_SECRET_KEY", self.stripe_secret_key),
                ("STRIPE_WEBHOOK_SECRET", self.stripe_webhook_secret),
            ) if value is None or not value.get_secret_value()]
            if missing:
                raise ValueError(f"the real preset needs {', '.join(missing)}")
            jwt = self.jwt_secret.get_secret_value() if self.jwt_secret else ""
            if len(jwt.encode()) < MIN_JWT_SECRET_BYTES:
                raise ValueError(f"JWT_SECRET must be at least {MIN_JWT_SECRET_BYTES} bytes")
        return self

    @property
    def listen_host(self) -> str:
        """The address `elope serve` listens on unless --host says otherwise."""
        return self.api_host or ("127.0.0.1" if self.is_mock else "0.0.0.0")

    @property
    def is_mock(self) -> bool:
        return self.adapters_preset == "mock"

    @property
    def effective_log_format(self) -> Literal["json", "console"]:
        """LOG_FORMAT, or the preset's default: console for mock, JSON lines for real."""
        if self.log_format is not None:
            return self.log_format
        return "console" if self.is_mock else "json"

    @property
    def trusted_proxy_networks(self) -> tuple[Network, ...]:
        return parse_trusted_proxies(self.trusted_proxies)

    @property
    def checkout_rate(self) -> RateLimit:
        return parse_rate(self.checkout_rate_limit, "checkout")

    @property
    def webhook_rate(self) -> RateLimit | None:
        """None when WEBHOOK_RATE_LIMIT is 0 (off)."""
        if self.webhook_rate_limit.strip() == "0":
            return None
        return parse_rate(self.webhook_rate_limit, "webhook")

    @property
    def timezone(self) -> ZoneInfo:
        return ZoneInfo(self.business_timezone)

    @cached_property
    def effective_jwt_secret(self) -> str:
        """The configured secret, or (mock preset only) an ephemeral one for this process."""
        if self.jwt_secret is not None and self.jwt_secret.get_secret_value():
            return self.jwt_secret.get_secret_value()
        return secrets.token_urlsafe(48)

    @property
    def jwt_secret_is_ephemeral(self) -> bool:
        return self.jwt_secret is None or not self.jwt_secret.get_secret_value()

    @property
    def webhook_secret(self) -> str:
        if self.stripe_webhook_secret is not None:
            return self.stripe_webhook_secret.get_secret_value()
        return MOCK_WEBHOOK_SECRET

    @property
    def base_url(self) -> str:
        return (self.public_url or f"http://localhost:{self.api_port}").rstrip("/")

    @property
    def success_url(self) -> str:
        """Stripe's success URL; `{CHECKOUT_SESSION_ID}` is filled in by Stripe."""
        return self.stripe_success_url or (
            f"{self.base_url}/checkout/success?session_id={{CHECKOUT_SESSION_ID}}")

    @property
    def cancel_url(self) -> str:
        """Stripe's cancel URL; this service's page frees the session's date at once."""
        return self.stripe_cancel_url or (
            f"{self.base_url}/checkout/canceled?session_id={{CHECKOUT_SESSION_ID}}")

    @property
    def postmark_token(self) -> str | None:
        """The Postmark server token, or None: mail then goes to files in MAIL_SINK_DIR."""
        token = self.postmark_server_token
        return token.get_secret_value() if token is not None and token.get_secret_value() else None

    @property
    def google_service_account(self) -> dict[str, str] | None:
        """The decoded service-account key, when the Google calendar is fully configured."""
        key = self.google_service_account_json_base64
        if not self.google_calendar_id or key is None or not key.get_secret_value():
            return None
        return service_account_info(key.get_secret_value())

    @property
    def mock_busy_dates(self) -> set[EventDate]:
        parts = (p.strip() for p in self.mock_calendar_busy_dates.split(","))
        return {EventDate.parse(p) for p in parts if p}


class SettingsError(Exception):
    """A configuration problem, phrased as the one line start-up prints."""


def load_settings(**overrides: object) -> Settings:
    """Read and validate the environment and the env file; a bad value becomes one clear line."""
    try:
        env_file = settings_env_file()
    except EnvFileError as exc:
        raise SettingsError(f"invalid configuration: {exc}") from None
    try:
        # pydantic's synthesised __init__ hides BaseSettings' `_env_file` keywords from mypy.
        return Settings(_env_file=env_file, **overrides)  # type: ignore[arg-type, call-arg]
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]).upper()
        message = str(first["msg"]).removeprefix("Value error, ")
        raise SettingsError(f"invalid configuration: {where + ': ' if where else ''}{message}"
                            ) from None
